package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.quorum.QuorumUsage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The usage command that queue.delete's {@code if-unused} and {@code if-empty} (AMQP 0-9-1 {@code queue.delete}) are
 * judged by on a replicated quorum queue, and queue.declare-ok's counts: it answers, at its place in the log, the
 * consumers attached from every node and the messages ready or checked out (or ready only, for declare-ok), and
 * changes nothing.
 */
class QuorumUsageTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";
    private static final String CONSUMER = "n2/9/1";

    private static QuorumCommand usage() {
        return new QuorumCommand(QuorumCommand.Op.USAGE, Q, ORIGIN, 0, new long[0], new byte[0]);
    }

    /** The usage queue.declare-ok asks: ready messages only (QuorumUsage.Counted.READY). */
    private static QuorumCommand readyUsage() {
        return new QuorumCommand(QuorumCommand.Op.USAGE, Q, ORIGIN, QuorumUsage.Counted.READY.ordinal(), new long[0],
                new byte[0]);
    }

    private static QuorumCommand enqueue(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return QuorumCommand.enqueue(Q, ORIGIN, b, b.length, 0);
    }

    @Test
    void itCountsConsumersAndReadyAndCheckedOutMessagesAndChangesNothing() {
        RecordingReplica r = new RecordingReplica();
        assertThat(r.apply(usage())).isEqualTo(-1); // no such queue
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, QueueLimits.NONE.encode(false)));
        long empty = r.apply(usage());
        assertThat(QuorumCommand.usageConsumers(empty)).isZero();
        assertThat(QuorumCommand.usageMessages(empty)).isZero();

        r.apply(QuorumCommand.attach(Q, CONSUMER, 1, 0));
        r.apply(enqueue("held"));
        r.apply(enqueue("ready"));
        long used = r.apply(usage());
        assertThat(QuorumCommand.usageConsumers(used)).isEqualTo(1);
        assertThat(QuorumCommand.usageMessages(used)).isEqualTo(2);
        long ready = r.apply(readyUsage()); // queue.declare-ok's message-count: the checked-out one is not ready
        assertThat(QuorumCommand.usageConsumers(ready)).isEqualTo(1);
        assertThat(QuorumCommand.usageMessages(ready)).isEqualTo(1);
        assertThat(r.machine.readyCount(Q)).isEqualTo(1);
        assertThat(r.machine.unsettledCount(Q)).isEqualTo(1);
        assertThat(r.seen).containsExactly(CONSUMER + ":held");

        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DETACH, Q, CONSUMER, 1));
        long detached = r.apply(usage());
        assertThat(QuorumCommand.usageConsumers(detached)).isZero();
        assertThat(QuorumCommand.usageMessages(detached)).isEqualTo(2); // returned: still in the queue
    }

    @Test
    void aGetsCheckedOutMessageCountsButTheGetterIsNoConsumer() {
        RecordingReplica r = new RecordingReplica();
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, QueueLimits.NONE.encode(false)));
        r.apply(enqueue("m"));
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n3/5/1", 0));
        long used = r.apply(usage());
        assertThat(QuorumCommand.usageConsumers(used)).isZero();
        assertThat(QuorumCommand.usageMessages(used)).isEqualTo(1);
    }

    @Test
    void theAnswerKeepsBothCountsApart() {
        long answer = QuorumCommand.usage(3, 70_000);
        assertThat(answer).isPositive();
        assertThat(QuorumCommand.usageConsumers(answer)).isEqualTo(3);
        assertThat(QuorumCommand.usageMessages(answer)).isEqualTo(70_000);
    }
}
