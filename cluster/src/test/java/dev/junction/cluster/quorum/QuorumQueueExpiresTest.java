package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * x-expires on a replicated quorum queue (RabbitMQ "Time-To-Live and Expiration", "Queue TTL"): a queue unused for
 * its period (no consumer, not declared again, no basic.get; publishing does not count) is deleted. Every replica
 * keeps when the queue was last used by the log's clock and reports when it falls due, for the leader's timer; the
 * timer's expire command, applied past that time, asks the timer's node to delete the queue, once, and counts as a
 * use, so a deletion that does not happen is asked again only after another period.
 */
class QuorumQueueExpiresTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String LEADER = "n1/7/";
    private static final String CONSUMER = "n2/9/1";

    @TempDir
    Path dir;

    /** Due times reported by a replica, latest per queue. */
    private static final class Heads implements ExpiryTimer.HeadExpiries {
        final Map<String, Long> at = new HashMap<>();

        @Override
        public void heads(Map<String, Long> changed) {
            at.putAll(changed);
        }

        @Override
        public void leading(boolean leading) {
        }
    }

    private static QuorumCommand declare(long expires) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(-1, -1, false, -1, expires).encode(false));
    }

    private static QuorumCommand enqueue(String body, long publishedAt) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return QuorumCommand.enqueue(Q, LEADER, b, b.length, publishedAt);
    }

    @Test
    void aQueueUnusedForItsPeriodIsDeletedByTheTimersNodeOnceAndPublishingIsNoUse() {
        Heads heads = new Heads();
        RecordingReplica r = new RecordingReplica(heads);
        r.apply(declare(1_000), 1_000);
        assertThat(heads.at).containsEntry(Q, 2_000L);
        r.apply(enqueue("m", 1_500), 1_500); // a publish does not renew the period
        assertThat(heads.at).containsEntry(Q, 2_000L);

        r.apply(QuorumCommand.expire(Q, LEADER), 1_999); // a timer early by the log's clock: nothing yet
        assertThat(r.seen).isEmpty();
        r.apply(QuorumCommand.expire(Q, LEADER), 2_000);
        assertThat(r.seen).containsExactly("unused:" + LEADER);
        assertThat(heads.at).as("asked once; again after another period").containsEntry(Q, 3_000L);
        assertThat(r.machine.readyCount(Q)).as("the state goes with the queue's deletion").isEqualTo(1);
    }

    @Test
    void aConsumerKeepsTheQueueAndItsPeriodStartsWhenTheLastOneLeaves() {
        Heads heads = new Heads();
        RecordingReplica r = new RecordingReplica(heads);
        r.apply(declare(1_000), 1_000);
        r.apply(QuorumCommand.attach(Q, CONSUMER, 1, 0), 1_200);
        assertThat(heads.at).containsEntry(Q, -1L);
        r.apply(QuorumCommand.expire(Q, LEADER), 5_000);
        assertThat(r.seen).isEmpty();

        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DETACH, Q, CONSUMER, 1), 6_000);
        assertThat(heads.at).containsEntry(Q, 7_000L);
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n3/5/1", 1), 6_500); // basic.get is a use
        assertThat(heads.at).containsEntry(Q, 7_500L);
        r.apply(QuorumCommand.expire(Q, LEADER), 7_000);
        assertThat(r.seen).isEmpty();
        r.apply(declare(1_000), 7_400); // declared again: renewed
        r.apply(QuorumCommand.expire(Q, LEADER), 7_500);
        assertThat(r.seen).isEmpty();
        r.apply(QuorumCommand.expire(Q, LEADER), 8_400);
        assertThat(r.seen).containsExactly("unused:" + LEADER);
    }

    @Test
    void theHeadsExpiryComesFirstWhenItIsEarlier() {
        Heads heads = new Heads();
        RecordingReplica r = new RecordingReplica(heads);
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(-1, -1, false, 300, 1_000).encode(false)), 1_000);
        r.apply(enqueue("m", 1_100), 1_100);
        assertThat(heads.at).containsEntry(Q, 1_400L);
        r.apply(QuorumCommand.expire(Q, LEADER), 1_400);
        assertThat(r.seen).containsExactly("dead:" + LEADER + ":m:expired");
        assertThat(heads.at).containsEntry(Q, 2_000L);
    }

    @Test
    void aDeclarationWithoutXExpiresAndAnOlderOneNeverExpire() {
        Heads heads = new Heads();
        RecordingReplica r = new RecordingReplica(heads);
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new long[] {0, -1, -1, 0, -1}), 1_000); // as written before x-expires was carried
        r.apply(QuorumCommand.expire(Q, LEADER), 100_000);
        assertThat(r.seen).isEmpty();
        assertThat(heads.at).doesNotContainKey(Q);
    }

    @Test
    void aSnapshotKeepsThePeriodAndTheLastUse() throws Exception {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(1_000), 1_000);
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);

        Heads heads = new Heads();
        RecordingReplica restored = new RecordingReplica(heads);
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        assertThat(heads.at).containsEntry(Q, 2_000L);
        for (RecordingReplica each : List.of(r, restored)) {
            each.apply(QuorumCommand.expire(Q, LEADER), 2_000);
        }
        assertThat(restored.seen).containsExactly("unused:" + LEADER).isEqualTo(r.seen);
    }

    /** A snapshot in the format before x-expires (first number -4) loads: its queues never expire unused. */
    @Test
    void aSnapshotWrittenBeforeXExpiresStillReads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(-4); // consumers with priorities
            out.writeLong(1_000); // the log's clock
            out.writeInt(1); // queues
            out.writeUTF(Q);
            out.writeLong(-1); // delivery limit
            out.writeBoolean(false); // single active consumer
            out.writeLong(-1); // limits as that format wrote them: max length, max bytes, reject-publish, TTL
            out.writeLong(-1);
            out.writeBoolean(false);
            out.writeLong(-1);
            out.writeInt(0); // ready
            out.writeInt(0); // consumers
            out.writeInt(0); // checked out
            out.writeInt(0); // resend filter: origins
        }
        Path file = dir.resolve("old");
        Files.write(file, bytes.toByteArray());

        RecordingReplica r = new RecordingReplica();
        r.machine.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        r.index = 1;
        assertThat(r.machine.consumerCount(Q)).isZero();
        r.apply(QuorumCommand.expire(Q, LEADER), 100_000);
        assertThat(r.seen).isEmpty();
    }
}
