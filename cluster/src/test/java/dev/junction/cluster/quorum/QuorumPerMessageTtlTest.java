package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message's own TTL (the {@code expiration} property) on a replicated quorum queue. RabbitMQ "Time-To-Live and
 * Expiration" (quorum queues since 3.10): when both a queue and a message TTL apply, the lower wins; an expired
 * message is only discarded, or dead-lettered with reason {@code expired}, once it reaches the head of the queue.
 * Each replica works the expiry out from the enqueue it applies (the message's bytes and the log's times), so
 * replicas fed the same entries expire the same messages.
 */
class QuorumPerMessageTtlTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";
    private static final String CONSUMER = "n2/9/1";

    @TempDir
    Path dir;

    private static QuorumCommand declare(long ttl) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(-1, -1, false, ttl).encode(false));
    }

    /** An engine-encoded message, as the node enqueues it, with {@code expiration} (null: none). */
    static byte[] message(String body, String expiration) {
        MessageProperties p = MessageProperties.builder().expiration(expiration).build();
        return MessageCodec.encode(new Message("", "q", p, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static QuorumCommand enqueue(String body, String expiration, long publishedAt) {
        return QuorumCommand.enqueue(Q, ORIGIN, message(body, expiration), body.length(), publishedAt);
    }

    private static QuorumCommand attach() {
        return QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, CONSUMER, 0);
    }

    /** Heads reported by a replica, latest per queue. */
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

    /**
     * In a queue without x-message-ttl, "a" (expiration 500) leads "b" (none) and "c" (expiration 500): "a" expires
     * at its time; "c", past its time behind "b", waits until it reaches the head and is never delivered.
     */
    private static void scenario(RecordingReplica r) {
        r.apply(declare(-1), 900);
        r.apply(enqueue("a", "500", 1_000), 1_000);
        r.apply(enqueue("b", null, 1_100), 1_100);
        r.apply(enqueue("c", "500", 1_200), 1_200);
        r.apply(enqueue("d", null, 1_600), 1_600); // a is due at 1 500: gone; c (due 1 700) behind b
        r.apply(QuorumCommand.expire(Q, ORIGIN), 2_000); // c is past due, but b, which never expires, leads
        r.apply(attach(), 2_100); // b is delivered; c reaches the head past due: expired, not delivered
    }

    /** The head's time counts its own expiration, so the leader's timer proposes the expiry when it is due. */
    @Test
    void theHeadsExpiryTimeCountsItsOwnExpiration() {
        Heads heads = new Heads();
        RecordingReplica r = new RecordingReplica(heads);
        r.apply(declare(-1), 900);
        r.apply(enqueue("a", "500", 1_000), 1_000);
        assertThat(heads.at).containsEntry(Q, 1_500L);
        r.apply(QuorumCommand.expire(Q, ORIGIN), 1_500);
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":a:expired");
        assertThat(heads.at).containsEntry(Q, -1L);
    }

    @Test
    void threeReplicasExpireAMessageWithAnExpirationOnlyAtTheHead() throws Exception {
        List<Heads> heads = List.of(new Heads(), new Heads(), new Heads());
        List<RecordingReplica> replicas = new ArrayList<>();
        for (Heads h : heads) {
            replicas.add(new RecordingReplica(h));
        }
        RecordingReplica first = replicas.get(0);
        replicas.forEach(QuorumPerMessageTtlTest::scenario);

        assertThat(first.seen).containsExactly("dead:" + ORIGIN + ":a:expired", CONSUMER + ":b",
                "dead:" + CONSUMER + ":c:expired", CONSUMER + ":d");
        byte[] snapshot = snapshot(first, "r0");
        for (int i = 1; i < replicas.size(); i++) {
            assertThat(replicas.get(i).seen).isEqualTo(first.seen);
            assertThat(snapshot(replicas.get(i), "r" + i)).isEqualTo(snapshot);
            assertThat(heads.get(i).at).isEqualTo(heads.get(0).at);
        }
    }

    /** The lower of x-message-ttl and the message's expiration wins, whichever it is. */
    @Test
    void theLowerOfTheQueueAndTheMessageTtlWins() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(1_000), 900);
        r.apply(enqueue("short", "300", 1_000), 1_000); // due at 1 300, not 2 000
        r.apply(enqueue("long", "5000", 1_000), 1_000); // due at 2 000 by the queue's TTL, not 6 000
        r.apply(enqueue("none", null, 1_500), 1_500); // short has gone
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":short:expired");
        r.apply(QuorumCommand.expire(Q, ORIGIN), 2_000);
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":short:expired", "dead:" + ORIGIN + ":long:expired");
        r.apply(attach(), 2_100);
        assertThat(r.seen).endsWith(CONSUMER + ":none");
    }

    /** Expiration "0": a consumer that can take it at once gets it, as in RabbitMQ; otherwise it expires at once. */
    @Test
    void anExpirationOfZeroReachesAWaitingConsumerAndOtherwiseExpiresAtOnce() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(-1), 900);
        r.apply(enqueue("alone", "0", 1_000), 1_000);
        assertThat(r.machine.readyCount(Q)).isZero();
        r.apply(attach(), 1_001);
        r.apply(enqueue("taken", "0", 1_002), 1_002);
        assertThat(r.seen).containsExactly("dead:" + ORIGIN + ":alone:expired", CONSUMER + ":taken");
    }

    /**
     * A value that is no number never expires, as on a single node (AMQP 0-9-1 refuses it at publish; what another
     * protocol carries must not stop a replica); a negative one counts as 0.
     */
    @Test
    void anInvalidExpirationNeverExpiresAndANegativeOneCountsAsZero() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(-1), 900);
        r.apply(enqueue("odd", "soon", 1_000), 1_000);
        r.apply(QuorumCommand.expire(Q, ORIGIN), 9_000);
        assertThat(r.machine.readyCount(Q)).isEqualTo(1);
        assertThat(MessageExpiry.of(message("x", "-5"), 1_000)).isEqualTo(1_000);
        assertThat(MessageExpiry.of(message("x", "9223372036854775807"), 1_000)).isEqualTo(-1);
        assertThat(MessageExpiry.of(message("x", "500"), 0)).as("no time known").isEqualTo(-1);
        assertThat(MessageExpiry.of("not an encoding".getBytes(StandardCharsets.UTF_8), 1_000)).isEqualTo(-1);
        assertThat(MessageExpiry.of(new byte[] {1, 0, 0}, 1_000)).as("cut short").isEqualTo(-1);
    }

    /** A snapshot keeps each message's own expiry: a restored replica expires it as the others do. */
    @Test
    void aSnapshotKeepsEachMessagesExpiry() throws Exception {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(-1), 900);
        r.apply(enqueue("m1", "500", 1_000), 1_000);
        r.apply(enqueue("m2", null, 1_000), 1_000);
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);

        Heads heads = new Heads();
        RecordingReplica restored = new RecordingReplica(heads);
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        assertThat(heads.at).containsEntry(Q, 1_500L);
        for (RecordingReplica each : List.of(r, restored)) {
            each.apply(attach(), 1_600);
        }
        assertThat(restored.seen).containsExactly("dead:" + CONSUMER + ":m1:expired", CONSUMER + ":m2");
        assertThat(restored.seen).isEqualTo(r.seen);
        assertThat(snapshot(restored, "after")).isEqualTo(snapshot(r, "before"));
    }

    /**
     * A snapshot written before messages carried their own expiry (first number -2) still reads: its messages are
     * kept and never expire by their expiration, as the version that wrote it did not apply it; new ones do.
     */
    @Test
    void aSnapshotWrittenBeforeMessagesCarriedTheirExpiryStillReads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] old = message("old", "1");
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(-2); // queues with limits, sizes and publish times
            out.writeLong(1_000); // the log's clock
            out.writeInt(1); // queues
            out.writeUTF(Q);
            out.writeLong(-1); // delivery limit
            out.writeBoolean(false); // single active consumer
            out.writeLong(-1); // limits as that format wrote them: max length, max bytes, reject-publish, TTL
            out.writeLong(-1);
            out.writeBoolean(false);
            out.writeLong(-1);
            out.writeInt(1); // ready: id, returns, body, size, publish time
            out.writeLong(5);
            out.writeInt(0);
            out.writeInt(old.length);
            out.write(old);
            out.writeLong(3);
            out.writeLong(1_000);
            out.writeInt(0); // consumers
            out.writeInt(0); // checked out
            out.writeInt(0); // resend filter: origins
        }
        Path file = dir.resolve("old");
        Files.write(file, bytes.toByteArray());

        RecordingReplica r = new RecordingReplica();
        r.machine.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        r.index = 1;
        assertThat(r.machine.readyCount(Q)).isEqualTo(1);
        r.apply(enqueue("new", "100", 2_000), 2_000);
        r.apply(QuorumCommand.expire(Q, ORIGIN), 3_000); // the old one leads and never expires: new waits
        assertThat(r.machine.readyCount(Q)).isEqualTo(2);
        r.apply(attach(), 3_100);
        assertThat(r.seen).containsExactly(CONSUMER + ":old", "dead:" + CONSUMER + ":new:expired");
    }

    private byte[] snapshot(RecordingReplica r, String name) throws Exception {
        Path file = dir.resolve(name);
        r.machine.writeSnapshot(file);
        return Files.readAllBytes(file);
    }
}
