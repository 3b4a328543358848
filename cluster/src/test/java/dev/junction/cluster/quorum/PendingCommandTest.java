package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A waiting settle gathers the later settles of the same consumer on the same queue into one command, in the order
 * asked, and answers every asker; nothing else joins, and nothing joins a command once it is encoded.
 */
class PendingCommandTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");

    private static QuorumCommand settle(String consumer, long... ids) {
        return QuorumCommand.consumer(QuorumCommand.Op.SETTLE, Q, consumer, 0, ids);
    }

    @Test
    void settlesOfOneConsumerBecomeOneCommandAndEveryAskerIsAnswered() {
        List<CompletableFuture<Long>> asked = new ArrayList<>();
        CompletableFuture<Long> first = new CompletableFuture<>();
        asked.add(first);
        PendingCommand p = new PendingCommand(7, settle("n2/a/1", 10), first);
        for (long id = 11; id <= 20; id++) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            asked.add(f);
            assertThat(p.absorb(settle("n2/a/1", id), f)).isTrue();
        }
        assertThat(p.absorb(settle("n2/a/1", 21, 22), new CompletableFuture<>())).isTrue();

        QuorumCommand sent = QuorumCommand.decode(p.data());
        assertThat(sent.op()).isEqualTo(QuorumCommand.Op.SETTLE);
        assertThat(sent.consumer()).isEqualTo("n2/a/1");
        assertThat(sent.ids()).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);
        assertThat(p.seq()).isEqualTo(7);
        assertThat(p.askers()).isEqualTo(12);

        p.complete(0);
        assertThat(asked).allMatch(f -> f.getNow(-5L) == 0L);
    }

    @Test
    void otherConsumersOtherQueuesAndOtherCommandsDoNotJoin() {
        PendingCommand p = new PendingCommand(1, settle("n2/a/1", 1), new CompletableFuture<>());
        assertThat(p.absorb(settle("n2/a/2", 2), new CompletableFuture<>())).isFalse();
        assertThat(p.absorb(QuorumCommand.consumer(QuorumCommand.Op.SETTLE, QuorumCommand.queueKey("/", "other"),
                "n2/a/1", 0, 2), new CompletableFuture<>())).isFalse();
        assertThat(p.absorb(QuorumCommand.consumer(QuorumCommand.Op.RETURN, Q, "n2/a/1", 0, 2),
                new CompletableFuture<>())).isFalse();
        assertThat(p.absorb(QuorumCommand.consumer(QuorumCommand.Op.REJECT, Q, "n2/a/1", 0, 2),
                new CompletableFuture<>())).isFalse();

        PendingCommand enqueue = new PendingCommand(2, QuorumCommand.enqueue(Q, new byte[] {1}),
                new CompletableFuture<>());
        assertThat(enqueue.absorb(settle("n2/a/1", 3), new CompletableFuture<>())).isFalse();
        assertThat(QuorumCommand.decode(p.data()).ids()).containsExactly(1);
    }

    @Test
    void nothingJoinsOnceEncodedOrPastTheLimit() {
        PendingCommand p = new PendingCommand(1, settle("c", 0), new CompletableFuture<>());
        for (long id = 1; id < PendingCommand.MAX_SETTLE_IDS; id++) {
            assertThat(p.absorb(settle("c", id), new CompletableFuture<>())).isTrue();
        }
        assertThat(p.absorb(settle("c", 5000), new CompletableFuture<>())).isFalse();
        assertThat(QuorumCommand.decode(p.data()).ids()).hasSize(PendingCommand.MAX_SETTLE_IDS);

        PendingCommand encoded = new PendingCommand(2, settle("c", 1), new CompletableFuture<>());
        encoded.data();
        assertThat(encoded.absorb(settle("c", 2), new CompletableFuture<>())).isFalse();
        assertThat(encoded.again().absorb(settle("c", 2), new CompletableFuture<>())).isFalse();
    }

    @Test
    void aFailureReachesEveryAsker() {
        CompletableFuture<Long> a = new CompletableFuture<>();
        CompletableFuture<Long> b = new CompletableFuture<>();
        PendingCommand p = new PendingCommand(1, settle("c", 1), a);
        p.absorb(settle("c", 2), b);
        p.fail(new IllegalStateException("no majority"));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
    }
}
