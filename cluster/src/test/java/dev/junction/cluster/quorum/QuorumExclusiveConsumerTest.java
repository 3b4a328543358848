package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.quorum.QuorumLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exclusive consumers of a replicated quorum queue, decided by the state machine every node applies alike. AMQP
 * 0-9-1 basic.consume {@code exclusive}: "Request exclusive consumer access, meaning only this consumer can access
 * the queue"; RabbitMQ refuses, with 403 ACCESS_REFUSED, an exclusive consumer of a queue that has a consumer and
 * any consumer of a queue that has an exclusive one. Here the refusal is the attach's answer, {@link
 * QuorumLog#IN_EXCLUSIVE_USE}, and nothing is attached. The flag travels in the attach command and in snapshots;
 * an attach or a snapshot written before it was carried is not exclusive.
 */
class QuorumExclusiveConsumerTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String N1 = "n1/7/1";
    private static final String N2 = "n2/9/1";
    private static final String N3 = "n3/8/1";

    @TempDir
    Path dir;

    private static RecordingReplica declared() {
        RecordingReplica r = new RecordingReplica();
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, QueueLimits.NONE.encode(false)));
        return r;
    }

    private static QuorumCommand enqueue(String body) {
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return QuorumCommand.enqueue(Q, "n1/7/", b, b.length, 0);
    }

    /** An exclusive consumer refuses every other attach, plain or exclusive, until it detaches. */
    @Test
    void anExclusiveConsumerRefusesEveryOtherUntilItDetaches() {
        RecordingReplica r = declared();
        assertThat(r.apply(QuorumCommand.attach(Q, N1, 0, 0, true))).isZero();
        assertThat(r.apply(QuorumCommand.attach(Q, N2, 0, 0))).isEqualTo(QuorumLog.IN_EXCLUSIVE_USE);
        assertThat(r.apply(QuorumCommand.attach(Q, N3, 0, 5, true))).isEqualTo(QuorumLog.IN_EXCLUSIVE_USE);
        assertThat(r.machine.consumerCount(Q)).isEqualTo(1);
        r.apply(enqueue("m1"));
        r.apply(enqueue("m2"));
        assertThat(r.seen).as("the refused ones get nothing").containsExactly(N1 + ":m1", N1 + ":m2");

        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DETACH, Q, N1, 1));
        assertThat(r.apply(QuorumCommand.attach(Q, N2, 0, 0))).isZero();
        assertThat(r.seen).endsWith(N2 + ":m1", N2 + ":m2");
    }

    /** An exclusive attach to a queue with a consumer is refused; plain consumers go on attaching beside each other. */
    @Test
    void anExclusiveAttachIsRefusedWhileTheQueueHasAConsumer() {
        RecordingReplica r = declared();
        assertThat(r.apply(QuorumCommand.attach(Q, N2, 0, 0))).isZero();
        assertThat(r.apply(QuorumCommand.attach(Q, N3, 0, 0, true))).isEqualTo(QuorumLog.IN_EXCLUSIVE_USE);
        assertThat(r.apply(QuorumCommand.attach(Q, N1, 0, 0))).isZero();
        assertThat(r.machine.consumerCount(Q)).isEqualTo(2);
    }

    /** The same exclusive attach applied again (a command sent twice) is not refused by itself. */
    @Test
    void anExclusiveConsumerAttachedAgainIsNotRefusedByItself() {
        RecordingReplica r = declared();
        assertThat(r.apply(QuorumCommand.attach(Q, N1, 0, 0, true))).isZero();
        assertThat(r.apply(QuorumCommand.attach(Q, N1, 0, 0, true))).isZero();
        assertThat(r.machine.consumerCount(Q)).isEqualTo(1);
    }

    /**
     * A node judged silent has its consumers detached (DETACH_NODE): its exclusive consumer no longer counts, so
     * another node's consumer is taken, and the silent node's attach once back is refused.
     */
    @Test
    void anExclusiveConsumerOfANodeJudgedSilentStopsCounting() {
        RecordingReplica r = declared();
        r.apply(QuorumCommand.attach(Q, N1, 0, 0, true));
        r.apply(QuorumCommand.detachNode("n1", "", r.index + 1));
        assertThat(r.apply(QuorumCommand.attach(Q, N2, 0, 0))).isZero();
        assertThat(r.apply(QuorumCommand.attach(Q, N1, 0, 0, true))).isEqualTo(QuorumLog.IN_EXCLUSIVE_USE);
    }

    /** The flag survives the log's encoding; an attach written before it was carried (priority only) is not. */
    @Test
    void theFlagTravelsInTheAttachAndAnOlderAttachIsNotExclusive() {
        QuorumCommand back = QuorumCommand.decode(QuorumCommand.attach(Q, N1, 4, 7, true).encode());
        assertThat(back.ids()).containsExactly(7, 1);
        RecordingReplica r = declared();
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, N1, 0, 0)); // {priority} only
        assertThat(r.apply(QuorumCommand.attach(Q, N2, 0, 0))).isZero();
    }

    /** A snapshot keeps the exclusive consumer: the restored replica refuses as the others do. */
    @Test
    void aSnapshotKeepsTheExclusiveConsumer() throws Exception {
        RecordingReplica r = declared();
        r.apply(QuorumCommand.attach(Q, N1, 0, 0, true));
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            assertThat(SnapshotFormat.of(in.readInt()).carriesExclusiveConsumers()).isTrue();
        }
        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, r.index), false);
        restored.index = r.index;
        for (RecordingReplica each : List.of(r, restored)) {
            assertThat(each.apply(QuorumCommand.attach(Q, N2, 0, 0))).isEqualTo(QuorumLog.IN_EXCLUSIVE_USE);
        }
        restored.apply(QuorumCommand.consumer(QuorumCommand.Op.DETACH, Q, N1, 1));
        assertThat(restored.apply(QuorumCommand.attach(Q, N2, 0, 0))).isZero();
    }

    /** Consumers as the format before wrote them (no flag) load as not exclusive, and exclusivity applies after. */
    @Test
    void consumersOfASnapshotWrittenBeforeTheFlagAreNotExclusive() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(2); // consumers: id, prefetch, attached at, in flight, priority
            for (String c : List.of(N2, N3)) {
                out.writeUTF(c);
                out.writeLong(0);
                out.writeLong(5);
                out.writeLong(0);
                out.writeLong(0);
            }
        }
        ConsumerRound round = ConsumerRound.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                SnapshotFormat.PENDING_DEAD_LETTERS);
        assertThat(round.size()).isEqualTo(2);
        assertThat(round.attach(N1, 0, 0, 9, false)).as("neither is exclusive").isTrue();
        assertThat(round.attach("n1/7/2", 0, 0, 10, true)).as("an exclusive one still refused").isFalse();
    }
}
