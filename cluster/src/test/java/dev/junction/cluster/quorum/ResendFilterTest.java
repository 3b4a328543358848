package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@link ResendFilter} through the quorum state machine: a command its node sent again after the Raft client gave up
 * (so it is in the log twice) is applied once and answered as the first time, also when a later request of the same
 * node was applied in between; what is remembered is forgotten below the submitter's floor, and a snapshot carries it.
 * Without it an enqueue in the log twice put a second copy of the message in the queue, delivered without the
 * redelivered flag (the fault test's "unflagged duplicate").
 */
class ResendFilterTest {
    private static final String Q = "/\0q";
    private static final long NODE = 77;

    @TempDir
    Path dir;

    private final List<String> delivered = new ArrayList<>();
    private final QuorumStateMachine m = new QuorumStateMachine(new QuorumEffects() {
        @Override
        public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
            delivered.add(new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void deadLettered(String queue, String consumer, byte[] body, int returns) {
        }
    });

    private static byte[] entry(long floor, long[] seqs, QuorumCommand... commands) {
        List<byte[]> encoded = new ArrayList<>();
        for (QuorumCommand c : commands) {
            encoded.add(c.encode());
        }
        return QuorumBatch.encode(NODE, floor, seqs, encoded);
    }

    private static QuorumCommand enqueue(String body) {
        return QuorumCommand.enqueue(Q, body.getBytes(StandardCharsets.UTF_8));
    }

    private void declare() {
        m.applyEntry(entry(0, new long[] {0}, QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, 0)), 1);
    }

    @Test
    void anEnqueueInTheLogTwiceIsAppliedOnceAndAnsweredWithTheFirstMessageId() {
        declare();
        byte[] sent = entry(1, new long[] {1, 2}, enqueue("a"), enqueue("b"));
        long[] first = m.applyEntry(sent, 2);
        long[] again = m.applyEntry(sent, 3); // the same request, sent again by a new client

        assertThat(again).containsExactly(first);
        assertThat(m.readyCount(Q)).as("two messages, not four").isEqualTo(2);
        m.applyEntry(entry(1, new long[] {3}, QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, "n1/x/1", 0)), 4);
        assertThat(delivered).containsExactly("a", "b");
    }

    @Test
    void aResendAppliedAfterALaterRequestOfTheSameNodeIsStillRecognised() {
        declare();
        byte[] earlier = entry(1, new long[] {1}, enqueue("a"));
        m.applyEntry(earlier, 2);
        m.applyEntry(entry(1, new long[] {2}, enqueue("b")), 3); // in flight beside it; the earlier one is resent
        m.applyEntry(earlier, 4);

        assertThat(m.readyCount(Q)).isEqualTo(2);
    }

    @Test
    void aCommandOfAnotherNodeWithTheSameSequenceNumberIsItsOwn() {
        declare();
        m.applyEntry(entry(1, new long[] {1}, enqueue("a")), 2);
        m.applyEntry(QuorumBatch.encode(NODE + 1, 1, new long[] {1}, List.of(enqueue("b").encode())), 3);

        assertThat(m.readyCount(Q)).isEqualTo(2);
    }

    @Test
    void commandsBelowTheSubmittersFloorAreForgotten() {
        declare();
        m.applyEntry(entry(1, new long[] {1, 2, 3}, enqueue("a"), enqueue("b"), enqueue("c")), 2);
        assertThat(m.remembered()).isEqualTo(3);

        m.applyEntry(entry(3, new long[] {3, 4}, enqueue("c"), enqueue("d")), 3); // 1 and 2 answered; 3 sent again

        assertThat(m.remembered()).as("3 and 4 may still come again").isEqualTo(2);
        assertThat(m.readyCount(Q)).isEqualTo(4);
        m.applyEntry(entry(10, new long[] {10}, QuorumCommand.of(QuorumCommand.Op.PURGE, Q)), 4);
        assertThat(m.remembered()).isEqualTo(1);
    }

    @Test
    void aSnapshotCarriesWhatIsRemembered() throws Exception {
        declare();
        byte[] sent = entry(1, new long[] {1}, enqueue("a"));
        long[] first = m.applyEntry(sent, 2);
        Path file = dir.resolve("snapshot");
        m.writeSnapshot(file);

        QuorumStateMachine restored = new QuorumStateMachine(new QuorumEffects() {
            @Override
            public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
            }

            @Override
            public void deadLettered(String queue, String consumer, byte[] body, int returns) {
            }
        });
        restored.readSnapshot(file, TermIndex.valueOf(1, 2), true);

        assertThat(restored.applyEntry(sent, 3)).containsExactly(first);
        assertThat(restored.readyCount(Q)).isEqualTo(1);
    }

    @Test
    void aSnapshotTakenBeforeSequenceNumbersStillLoads() throws Exception {
        Path file = dir.resolve("old-snapshot");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0); // no queues, and nothing after them
        }
        m.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        declare();

        assertThat(m.readyCount(Q)).isZero();
        assertThat(m.remembered()).isEqualTo(1);
    }
}
