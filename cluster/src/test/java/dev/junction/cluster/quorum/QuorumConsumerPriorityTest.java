package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer priorities on a replicated quorum queue (RabbitMQ "Consumer Priorities", {@code x-priority} on
 * basic.consume): messages go to the highest-priority consumers that have room under their prefetch, round-robin
 * among equals; a lower-priority consumer gets messages only while every higher one is full. The priority travels
 * in the attach command, so every replica makes the same choice; an attach or a snapshot written before priorities
 * were carried loads with priority 0.
 */
class QuorumConsumerPriorityTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";
    private static final String HIGH = "n1/7/1";
    private static final String LOW = "n2/9/1";

    @TempDir
    Path dir;

    private static QuorumCommand declare(boolean singleActive) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, QueueLimits.NONE.encode(singleActive));
    }

    private static QuorumCommand enqueue(String body) {
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return QuorumCommand.enqueue(Q, ORIGIN, b, b.length, 0);
    }

    private static QuorumCommand settle(String consumer, long id) {
        return QuorumCommand.consumer(QuorumCommand.Op.SETTLE, Q, consumer, 0, id);
    }

    /** Priority 10 with prefetch 2 takes m1 and m2; only then priority 0 gets m3; a settle gives m4 to 10 again. */
    @Test
    void theHighestPriorityConsumerWithRoomGetsMessagesAndALowerOneOnlyWhenItIsFull() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(false));
        r.apply(QuorumCommand.attach(Q, LOW, 5, 0)); // attached first: attach order alone would favour it
        r.apply(QuorumCommand.attach(Q, HIGH, 2, 10));
        assertThat(r.seen).isEmpty();
        long m1 = r.apply(enqueue("m1"));
        r.apply(enqueue("m2"));
        assertThat(r.seen).containsExactly(HIGH + ":m1", HIGH + ":m2");

        r.apply(enqueue("m3")); // HIGH is at its prefetch: the lower one may have it
        assertThat(r.seen).endsWith(LOW + ":m3");

        r.apply(settle(HIGH, m1));
        r.apply(enqueue("m4"));
        assertThat(r.seen).containsExactly(HIGH + ":m1", HIGH + ":m2", LOW + ":m3", HIGH + ":m4");
    }

    /** Equal priorities take turns; a lower one waits while any of them has room. */
    @Test
    void consumersOfEqualPriorityTakeTurnsAheadOfLowerOnes() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(false));
        r.apply(QuorumCommand.attach(Q, "n1/7/1", 0, 5));
        r.apply(QuorumCommand.attach(Q, "n3/8/1", 0, -1)); // negative priorities are lower than the default 0
        r.apply(QuorumCommand.attach(Q, "n2/9/1", 0, 5));
        for (String m : List.of("a", "b", "c", "d")) {
            r.apply(enqueue(m));
        }
        assertThat(r.seen).containsExactly("n1/7/1:a", "n2/9/1:b", "n1/7/1:c", "n2/9/1:d");
    }

    /** Two replicas fed the same entries, through the log's encoding, hand the same messages to the same consumers. */
    @Test
    void everyReplicaMakesTheSameChoiceFromTheAttachCommand() {
        RecordingReplica a = new RecordingReplica();
        RecordingReplica b = new RecordingReplica();
        for (RecordingReplica r : List.of(a, b)) {
            r.apply(declare(false));
            r.apply(QuorumCommand.attach(Q, LOW, 1, 0));
            r.apply(QuorumCommand.attach(Q, HIGH, 1, 3));
            r.apply(enqueue("m1"));
            r.apply(enqueue("m2"));
            r.apply(enqueue("m3"));
        }
        assertThat(a.seen).containsExactly(HIGH + ":m1", LOW + ":m2");
        assertThat(b.seen).isEqualTo(a.seen);
        QuorumCommand back = QuorumCommand.decode(QuorumCommand.attach(Q, HIGH, 4, 7).encode());
        assertThat(back.number()).isEqualTo(4);
        assertThat(back.ids()).containsExactly(7);
    }

    /** An attach as written before priorities (no ids) is priority 0: below a consumer that gave one. */
    @Test
    void anAttachWrittenBeforePrioritiesIsPriorityZero() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(false));
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, LOW, 0));
        r.apply(QuorumCommand.attach(Q, HIGH, 1, 1));
        r.apply(enqueue("m1"));
        r.apply(enqueue("m2"));
        assertThat(r.seen).containsExactly(HIGH + ":m1", LOW + ":m2");
    }

    /**
     * With single active consumer the highest priority is the only one given messages, though attached after a
     * lower one (RabbitMQ 4.0's quorum queues; the switch-over is {@link QuorumSingleActivePriorityTest}'s subject).
     */
    @Test
    void singleActiveConsumerIsTheHighestPriority() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(true));
        r.apply(QuorumCommand.attach(Q, LOW, 1, 0));
        r.apply(QuorumCommand.attach(Q, HIGH, 5, 10));
        r.apply(enqueue("m1"));
        r.apply(enqueue("m2"));
        assertThat(r.seen).containsExactly(HIGH + ":m1", HIGH + ":m2");
    }

    /** A snapshot keeps each consumer's priority: the restored replica goes on choosing as the others do. */
    @Test
    void aSnapshotKeepsConsumersPriorities() throws Exception {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(false));
        r.apply(QuorumCommand.attach(Q, LOW, 0, 0));
        r.apply(QuorumCommand.attach(Q, HIGH, 1, 10));
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);
        try (java.io.DataInputStream in = new java.io.DataInputStream(Files.newInputStream(file))) {
            assertThat(SnapshotFormat.of(in.readInt()).carriesPriorities()).isTrue();
        }

        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        for (RecordingReplica each : List.of(r, restored)) {
            each.apply(enqueue("m1"));
            each.apply(enqueue("m2"));
        }
        assertThat(restored.seen).containsExactly(HIGH + ":m1", LOW + ":m2");
        assertThat(restored.seen).isEqualTo(r.seen);
    }

    /**
     * A snapshot written before consumers carried a priority (first number -3) still loads: its consumers are
     * priority 0, take turns as before, and give way to a consumer attached later with a higher priority.
     */
    @Test
    void aSnapshotWrittenBeforePrioritiesLoadsItsConsumersAtPriorityZero() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(-3); // queues with limits, and messages with their own expiry
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
            out.writeInt(2); // consumers: id, prefetch, attached at, in flight
            for (String c : List.of("n2/9/1", "n3/8/1")) {
                out.writeUTF(c);
                out.writeLong(0);
                out.writeLong(5);
                out.writeLong(0);
            }
            out.writeInt(0); // checked out
            out.writeInt(0); // resend filter: origins
        }
        Path file = dir.resolve("old");
        Files.write(file, bytes.toByteArray());

        RecordingReplica r = new RecordingReplica();
        r.machine.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        r.index = 1;
        assertThat(r.machine.consumerCount(Q)).isEqualTo(2);
        r.apply(enqueue("a"));
        r.apply(enqueue("b"));
        r.apply(QuorumCommand.attach(Q, HIGH, 1, 1));
        r.apply(enqueue("c"));
        r.apply(enqueue("d"));
        assertThat(r.seen).containsExactly("n2/9/1:a", "n3/8/1:b", HIGH + ":c", "n2/9/1:d");
    }
}
