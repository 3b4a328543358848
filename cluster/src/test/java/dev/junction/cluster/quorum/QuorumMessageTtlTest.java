package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * x-message-ttl on a replicated quorum queue (RabbitMQ "Time-To-Live and Expiration": a message older than the
 * queue's TTL is not delivered; it is dropped, or dead-lettered with reason {@code expired}). Judged from the log
 * alone: each enqueue carries its publish time and each entry its submitter's clock, so replicas applying the same
 * entries drop the same messages, whatever their own clocks, and a replica restored from a snapshot goes on alike.
 */
class QuorumMessageTtlTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";
    private static final String CONSUMER = "n2/9/1";

    @TempDir
    Path dir;

    private static QuorumCommand declare(long ttl) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(-1, -1, false, ttl).encode(false));
    }

    private static QuorumCommand enqueue(String body, long publishedAt) {
        return QuorumCommand.enqueue(Q, ORIGIN, body.getBytes(StandardCharsets.UTF_8), body.length(), publishedAt);
    }

    private static QuorumCommand attach() {
        return QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, CONSUMER, 0);
    }

    /** Two published a second apart into a queue with a TTL of 1 s; a consumer attaches at 2.1 s. */
    private static void scenario(RecordingReplica r) {
        r.apply(declare(1_000), 500);
        r.apply(enqueue("m1", 1_000), 1_000);
        r.apply(enqueue("m2", 1_500), 1_500);
        r.apply(attach(), 2_100);
    }

    /** The message past its TTL is dead-lettered (reason expired) by the consumer's node; the other is delivered. */
    @Test
    void aMessageOlderThanTheTtlIsNotDeliveredButDeadLetteredExpiredOnEveryReplica() throws Exception {
        List<RecordingReplica> replicas = List.of(new RecordingReplica(), new RecordingReplica(),
                new RecordingReplica());
        replicas.forEach(QuorumMessageTtlTest::scenario);

        assertThat(replicas.get(0).seen).containsExactly("dead:" + CONSUMER + ":m1:expired", CONSUMER + ":m2");
        byte[] first = snapshot(replicas.get(0), "a");
        for (int i = 1; i < replicas.size(); i++) {
            assertThat(replicas.get(i).seen).isEqualTo(replicas.get(0).seen);
            assertThat(snapshot(replicas.get(i), "r" + i)).isEqualTo(first);
        }
    }

    /** A TTL of 0 still reaches a consumer that can take the message at once, as in RabbitMQ; else it expires. */
    @Test
    void aTtlOfZeroReachesAWaitingConsumerAndOtherwiseExpiresAtOnce() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(0), 1_000);
        r.apply(enqueue("alone", 1_000), 1_000);
        assertThat(r.machine.readyCount(Q)).isZero();
        r.apply(attach(), 1_001);
        r.apply(enqueue("taken", 1_002), 1_002);
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":alone:expired", CONSUMER + ":taken");
    }

    /** The log's clock, not the replica's: entries without a time (written before) never expire anything. */
    @Test
    void entriesWithoutATimeExpireNothing() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(1));
        r.apply(enqueue("m1", 1_000));
        r.apply(attach());
        assertThat(r.seen).containsExactly(CONSUMER + ":m1");
    }

    /** The clock never goes back: an entry from a node whose clock is behind does not revive expired messages. */
    @Test
    void theLogsClockNeverGoesBack() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(1_000), 1_000);
        r.apply(enqueue("m1", 1_000), 1_000);
        r.apply(enqueue("m2", 5_000), 5_000); // m1 is 4 s old at this entry: gone
        r.apply(attach(), 2_000); // a node whose clock is behind
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":m1:expired", CONSUMER + ":m2");
    }

    /** A snapshot carries the log's clock: a restored replica judges the next entry as the others do. */
    @Test
    void aRestoredReplicaKeepsTheClock() throws Exception {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(1_000), 1_000);
        r.apply(enqueue("m1", 1_000), 1_000);
        r.apply(enqueue("m2", 2_500), 2_500); // m1 expires here
        // An entry for another queue moves the clock past m2's TTL; m2 leaves at q's next command.
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, QuorumCommand.queueKey("/", "other"), "", -1, 0),
                3_600);
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);

        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        restored.apply(attach()); // no time of its own: judged at the snapshot's clock
        assertThat(restored.seen).containsExactly("dead:" + CONSUMER + ":m2:expired");
    }

    /** An entry carries its submitter's time in a timed batch; one without a time is written as before. */
    @Test
    void aBatchCarriesItsTimeAndOneWithoutIsWrittenAsBefore() {
        List<byte[]> one = List.of(attach().encode());
        byte[] timed = QuorumBatch.encode(7, 0, 1_234, new long[] {1}, one);
        assertThat(timed[0]).isEqualTo((byte) QuorumCommand.Op.TIMED_BATCH.ordinal());
        assertThat(QuorumBatch.decode(timed).time()).isEqualTo(1_234);
        assertThat(QuorumBatch.decode(timed).seqs()).containsExactly(1);
        byte[] untimed = QuorumBatch.encode(7, 0, new long[] {1}, one);
        assertThat(untimed[0]).isEqualTo((byte) QuorumCommand.Op.SEQUENCED_BATCH.ordinal());
        assertThat(QuorumBatch.decode(untimed).time()).isZero();
    }

    private byte[] snapshot(RecordingReplica r, String name) throws Exception {
        Path file = dir.resolve(name);
        r.machine.writeSnapshot(file);
        return Files.readAllBytes(file);
    }
}
