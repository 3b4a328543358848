package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link QuorumBatch}: several commands in one log entry, each applied at a position of its own that grows with the
 * log, a single-command entry read as before, and a node's silence judged by log index against attach positions.
 */
class QuorumBatchTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBatchDecodesToItsCommandsInOrder() {
        QuorumCommand declare = QuorumCommand.consumer(QuorumCommand.Op.DECLARE, "/\0q", "", 5, 1);
        QuorumCommand enqueue = QuorumCommand.enqueue("/\0q", b("m1"));
        QuorumCommand settle = QuorumCommand.consumer(QuorumCommand.Op.SETTLE, "/\0q", "n1/x/1", 0, 7, 8);

        QuorumBatch.Entry entry = QuorumBatch.decode(QuorumBatch.encode(9, 3, new long[] {3, 4, 6},
                List.of(declare.encode(), enqueue.encode(), settle.encode())));
        List<QuorumCommand> back = entry.commands();

        assertThat(entry.origin()).isEqualTo(9);
        assertThat(entry.floor()).isEqualTo(3);
        assertThat(entry.seqs()).containsExactly(3, 4, 6);
        assertThat(back).extracting(QuorumCommand::op).containsExactly(QuorumCommand.Op.DECLARE,
                QuorumCommand.Op.ENQUEUE, QuorumCommand.Op.SETTLE);
        assertThat(back.get(0).number()).isEqualTo(5);
        assertThat(new String(back.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("m1");
        assertThat(back.get(2).ids()).containsExactly(7, 8);
    }

    @Test
    void anEntryOfOneCommandWrittenBeforeBatchesStillReads() {
        QuorumBatch.Entry entry = QuorumBatch.decode(QuorumCommand.enqueue("/\0q", b("old")).encode());

        assertThat(entry.seqs()).as("no sequence numbers: applied as it comes").isNull();
        assertThat(entry.commands()).singleElement().satisfies(c -> {
            assertThat(c.op()).isEqualTo(QuorumCommand.Op.ENQUEUE);
            assertThat(new String(c.body(), StandardCharsets.UTF_8)).isEqualTo("old");
        });
    }

    @Test
    void aBatchHoldsOneToMaxCommands() {
        byte[] one = QuorumCommand.of(QuorumCommand.Op.PURGE, "/\0q").encode();
        assertThat(QuorumBatch.decode(QuorumBatch.encode(1, 0, seqs(QuorumBatch.MAX_COMMANDS),
                Collections.nCopies(QuorumBatch.MAX_COMMANDS, one))).commands()).hasSize(QuorumBatch.MAX_COMMANDS);
        assertThatThrownBy(() -> QuorumBatch.encode(1, 0, new long[0], List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuorumBatch.encode(1, 0, seqs(QuorumBatch.MAX_COMMANDS + 1),
                Collections.nCopies(QuorumBatch.MAX_COMMANDS + 1, one))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuorumBatch.encode(1, 0, seqs(1), List.of(one, one)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchWrittenBeforeCommandsCarriedSequenceNumbersStillReads() throws Exception {
        byte[] purge = QuorumCommand.of(QuorumCommand.Op.PURGE, "/\0q").encode();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(QuorumCommand.Op.BATCH.ordinal()); // the count, then each command's length and bytes
            out.writeInt(2);
            for (int i = 0; i < 2; i++) {
                out.writeInt(purge.length);
                out.write(purge);
            }
        }
        QuorumBatch.Entry entry = QuorumBatch.decode(bytes.toByteArray());

        assertThat(entry.seqs()).isNull();
        assertThat(entry.commands()).extracting(QuorumCommand::op)
                .containsExactly(QuorumCommand.Op.PURGE, QuorumCommand.Op.PURGE);
    }

    private static long[] seqs(int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    @Test
    void positionsGrowWithTheLogAcrossEntriesAndWithinOne() {
        assertThat(QuorumBatch.position(7, 0)).isLessThan(QuorumBatch.position(7, 1));
        assertThat(QuorumBatch.position(7, QuorumBatch.MAX_COMMANDS - 1)).isLessThan(QuorumBatch.position(8, 0));
        assertThat(QuorumBatch.position(1, 0)).isPositive();
    }

    @Test
    void theReplyCarriesEachCommandsNumber() {
        assertThat(QuorumBatch.results(QuorumBatch.reply(new long[] {7168, 0, -1}))).containsExactly(7168, 0, -1);
        assertThat(QuorumBatch.results("42")).containsExactly(42); // a single command's reply, as before batches
    }

    @Test
    void enqueuesOfOneEntryGetDistinctIdsInTheirOrder() {
        List<String> seen = new ArrayList<>();
        QuorumStateMachine m = new QuorumStateMachine(recorder(seen));
        m.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, "/\0q", "", -1, 0), QuorumBatch.position(1, 0));
        long first = m.apply(QuorumCommand.enqueue("/\0q", b("a")), QuorumBatch.position(2, 0));
        long second = m.apply(QuorumCommand.enqueue("/\0q", b("b")), QuorumBatch.position(2, 1));
        m.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, "/\0q", "n1/x/1", 0), QuorumBatch.position(3, 0));

        assertThat(second).isGreaterThan(first);
        assertThat(seen).containsExactly("n1/x/1:" + first + ":a", "n1/x/1:" + second + ":b");
    }

    @Test
    void aSilentNodesConsumersAttachedBeforeTheLeadersIndexAreDetachedNotLaterOnes() {
        List<String> seen = new ArrayList<>();
        QuorumStateMachine m = new QuorumStateMachine(recorder(seen));
        m.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, "/\0q", "", -1, 0), QuorumBatch.position(1, 0));
        m.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, "/\0q", "n2/x/1", 0), QuorumBatch.position(5, 3));
        m.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, "/\0q", "n2/x/2", 0), QuorumBatch.position(6, 0));

        // The leader judged n2 silent with log index 6 applied: the consumer attached in entry 5 goes, entry 6's stays.
        m.apply(new QuorumCommand(QuorumCommand.Op.DETACH_NODE, "", "n2/", 6, new long[0], new byte[0]),
                QuorumBatch.position(7, 0));

        assertThat(m.consumerCount("/\0q")).isEqualTo(1);
    }

    private static QuorumEffects recorder(List<String> seen) {
        return new QuorumEffects() {
            @Override
            public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
                seen.add(consumer + ":" + id + ":" + new String(body, StandardCharsets.UTF_8));
            }

            @Override
            public void deadLettered(String queue, String consumer, byte[] body, int returns) {
                seen.add("dead:" + new String(body, StandardCharsets.UTF_8));
            }
        };
    }
}
