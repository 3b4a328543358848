package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once dead-lettering in a quorum queue's replicated state (RabbitMQ "Quorum Queues", "Dead Lettering",
 * and its blog post "at-least-once dead-lettering"): a message dead-lettered by a reject, x-delivery-limit or
 * x-message-ttl stays in the queue, pending, until a settle in the log says its target confirmed it; it still counts
 * toward the queue's length limit; every replica holds the same pending set, and so does a snapshot. Without
 * reject-publish the queue falls back to at most once, as RabbitMQ's does.
 */
class QuorumAtLeastOnceDeadLetterTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";
    private static final String C = "n2/9/1";
    /** x-max-length 3, reject-publish, x-dead-letter-strategy at-least-once. */
    private static final QueueLimits AT_LEAST_ONCE = new QueueLimits(3, -1, true, -1, -1, true);

    @TempDir
    Path dir;

    /** The id of the {@code n}-th message enqueued right after the declaration (log index 1). */
    private static long id(int n) {
        return QuorumBatch.position(n + 1, 0);
    }

    private static QuorumCommand declare(long deliveryLimit, QueueLimits limits) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, ORIGIN, deliveryLimit, limits.encode(false));
    }

    private static QuorumCommand enqueue(String body) {
        return QuorumCommand.enqueue(Q, ORIGIN, body.getBytes(StandardCharsets.UTF_8), body.length(), 1_000);
    }

    private static QuorumCommand reject(long... ids) {
        return QuorumCommand.consumer(QuorumCommand.Op.REJECT, Q, C, 0, ids);
    }

    private static QuorumCommand settleDead(long... ids) {
        return QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, Q, ORIGIN, 0, ids);
    }

    /** Applies the same commands to three replicas; every answer and every effect must agree. */
    private static List<RecordingReplica> three(List<QuorumCommand> commands, List<Long> answers) {
        List<RecordingReplica> replicas = List.of(new RecordingReplica(), new RecordingReplica(),
                new RecordingReplica());
        for (QuorumCommand c : commands) {
            long first = replicas.get(0).apply(c);
            assertThat(replicas.get(1).apply(c)).isEqualTo(first);
            assertThat(replicas.get(2).apply(c)).isEqualTo(first);
            answers.add(first);
        }
        assertThat(replicas.get(1).seen).isEqualTo(replicas.get(0).seen);
        assertThat(replicas.get(2).seen).isEqualTo(replicas.get(0).seen);
        return replicas;
    }

    private byte[] snapshot(QuorumStateMachine m, String name) throws Exception {
        Path file = dir.resolve(name);
        m.writeSnapshot(file);
        return Files.readAllBytes(file);
    }

    /** Three enqueued (m1, m2, m3), all delivered to one consumer with no prefetch limit. */
    private static List<QuorumCommand> threeDelivered(long deliveryLimit, QueueLimits limits) {
        return new ArrayList<>(List.of(declare(deliveryLimit, limits), enqueue("m1"), enqueue("m2"), enqueue("m3"),
                QuorumCommand.attach(Q, C, 0, 0)));
    }

    /**
     * at-least-once dead-lettering: a reject and a return past x-delivery-limit leave the message pending in the
     * queue on every replica, byte for byte alike in their snapshots; nothing is handed to a node to publish at
     * most once.
     */
    @Test
    void threeReplicasAgreeOnThePendingDeadLetters() throws Exception {
        List<QuorumCommand> commands = threeDelivered(0, AT_LEAST_ONCE);
        commands.add(reject(id(1)));
        commands.add(QuorumCommand.consumer(QuorumCommand.Op.RETURN, Q, C, 0, id(2))); // past a delivery limit of 0
        List<RecordingReplica> replicas = three(commands, new ArrayList<>());

        assertThat(replicas.get(0).seen).contains("pending:" + id(1) + ":m1:rejected",
                        "pending:" + id(2) + ":m2:delivery_limit")
                .noneMatch(e -> e.startsWith("dead:") || e.startsWith("limit:"));
        for (RecordingReplica r : replicas) {
            assertThat(r.machine.deadLetterCount(Q)).isEqualTo(2);
            assertThat(r.machine.unsettledCount(Q)).isEqualTo(1);
        }
        byte[] first = snapshot(replicas.get(0).machine, "a");
        assertThat(snapshot(replicas.get(1).machine, "b")).isEqualTo(first);
        assertThat(snapshot(replicas.get(2).machine, "c")).isEqualTo(first);
    }

    /** A message past x-message-ttl is kept pending with reason expired, as a rejected one is. */
    @Test
    void anExpiredMessageIsKeptPendingWithReasonExpired() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(-1, new QueueLimits(3, -1, true, 100, -1, true)));
        r.apply(enqueue("m1"), 1_000);
        r.apply(QuorumCommand.expire(Q, ORIGIN), 1_200);
        assertThat(r.seen).containsExactly("pending:" + id(1) + ":m1:expired");
        assertThat(r.machine.readyCount(Q)).isZero();
        assertThat(r.machine.deadLetterCount(Q)).isEqualTo(1);
    }

    /**
     * Pending dead letters still count toward the length limit: with x-max-length 3 under reject-publish, three
     * rejected messages leave no room, and a fourth publish is refused until their target confirmed them and a
     * settle removed them.
     */
    @Test
    void pendingDeadLettersCountTowardTheLengthLimitUntilSettled() {
        List<QuorumCommand> commands = threeDelivered(-1, AT_LEAST_ONCE);
        commands.add(reject(id(1), id(2), id(3)));
        commands.add(enqueue("m4"));
        commands.add(settleDead(id(1), id(2)));
        commands.add(settleDead(id(1), id(2))); // confirmed twice (republished after a leader change): settled once
        commands.add(enqueue("m5"));
        List<Long> answers = new ArrayList<>();
        List<RecordingReplica> replicas = three(commands, answers);

        assertThat(answers.get(6)).as("the fourth publish").isEqualTo(QuorumQueueState.REFUSED);
        assertThat(answers.get(7)).as("settled").isEqualTo(2);
        assertThat(answers.get(8)).as("settled again").isZero();
        assertThat(answers.get(9)).as("the publish after the settle").isPositive();
        assertThat(replicas.get(0).seen).contains("settled:[" + id(1) + ", " + id(2) + "]");
        assertThat(replicas.get(0).machine.deadLetterCount(Q)).isEqualTo(1);
    }

    /**
     * RabbitMQ falls back to at most once when at-least-once is asked for without reject-publish: the dead letter
     * leaves the queue at once and the consumer's node publishes it.
     */
    @Test
    void withoutRejectPublishAtLeastOnceFallsBackToAtMostOnce() {
        List<QuorumCommand> commands = threeDelivered(-1, new QueueLimits(3, -1, false, -1, -1, true));
        commands.add(reject(id(1)));
        List<RecordingReplica> replicas = three(commands, new ArrayList<>());
        assertThat(replicas.get(0).seen).contains("dead:" + C + ":m1:rejected")
                .noneMatch(e -> e.startsWith("pending:"));
        assertThat(replicas.get(0).machine.deadLetterCount(Q)).isZero();
    }

    /** A snapshot keeps the pending dead letters and the strategy: restored, they are settled as before. */
    @Test
    void aSnapshotKeepsThePendingDeadLetters() throws Exception {
        List<QuorumCommand> commands = threeDelivered(-1, AT_LEAST_ONCE);
        commands.add(reject(id(1), id(3)));
        RecordingReplica r = three(commands, new ArrayList<>()).get(0);
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            assertThat(SnapshotFormat.of(in.readInt()).carriesPendingDeadLetters()).isTrue();
        }

        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        assertThat(restored.machine.deadLetterCount(Q)).isEqualTo(2);
        assertThat(snapshot(restored.machine, "again")).isEqualTo(Files.readAllBytes(file));
        // Still at least once, and the restored pending ones still count toward x-max-length 3.
        assertThat(restored.apply(reject(id(2)))).isZero();
        assertThat(restored.seen).containsExactly("pending:" + id(2) + ":m2:rejected");
        assertThat(restored.apply(enqueue("m4"))).isEqualTo(QuorumQueueState.REFUSED);
        assertThat(restored.apply(settleDead(id(1), id(2), id(3)))).isEqualTo(3);
        assertThat(restored.machine.deadLetterCount(Q)).isZero();
        assertThat(restored.apply(enqueue("m5"))).isPositive();
    }

    /**
     * A snapshot written before dead letters were kept (format -5) still loads: its queues dead-letter at most once,
     * with nothing pending, as the version that wrote it did.
     */
    @Test
    void aSnapshotWrittenBeforePendingDeadLettersLoads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(SnapshotFormat.IDLE_EXPIRY.marker());
            out.writeLong(1_000); // the log's clock
            out.writeInt(1); // queues
            out.writeUTF(Q);
            out.writeLong(-1); // delivery limit
            out.writeBoolean(false); // single active consumer
            out.writeLong(3); // max length, max bytes, reject-publish, TTL, x-expires
            out.writeLong(-1);
            out.writeBoolean(true);
            out.writeLong(-1);
            out.writeLong(-1);
            out.writeLong(500); // last used
            out.writeInt(1); // ready: id, returns, body, size, published, expires
            out.writeLong(7);
            out.writeInt(0);
            out.writeInt(2);
            out.write("m7".getBytes(StandardCharsets.UTF_8));
            out.writeLong(2);
            out.writeLong(900);
            out.writeLong(-1);
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
        assertThat(r.machine.deadLetterCount(Q)).isZero();
        r.apply(QuorumCommand.attach(Q, C, 0, 0));
        r.apply(reject(7));
        assertThat(r.seen).containsExactly(C + ":m7", "dead:" + C + ":m7:rejected");
    }
}
