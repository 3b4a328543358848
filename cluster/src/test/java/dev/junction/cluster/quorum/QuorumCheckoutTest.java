package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checkout command behind {@code basic.get} on a quorum queue (AMQP 0-9-1 {@code basic.get}; RabbitMQ "Quorum
 * Queues"): what every replica does when it applies one, that its format leaves every earlier operation's encoding
 * alone, and that a checkout sent twice takes one message.
 */
class QuorumCheckoutTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");

    /** What the effects said, in order: "got:getter:id:body:returns:remaining", "consumer:id:body:returns", ... */
    private final List<String> seen = new ArrayList<>();
    private final QuorumEffects effects = new QuorumEffects() {
        @Override
        public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
            seen.add(consumer + ":" + id + ":" + s(body) + ":" + returns);
        }

        @Override
        public void checkedOut(String queue, String getter, long id, byte[] body, int returns, int remaining) {
            seen.add("got:" + getter + ":" + id + ":" + s(body) + ":" + returns + ":" + remaining);
        }

        @Override
        public void deadLettered(String queue, String consumer, byte[] body, int returns) {
            seen.add("dead:" + s(body) + ":" + returns);
        }
    };

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** basic.get-empty: nothing ready, answered 0, nothing told. */
    @Test
    void aCheckoutOfAnEmptyQueueIsAnsweredZero() {
        QuorumQueueState q = new QuorumQueueState(Q);
        assertThat(q.checkout("n1/x/1", false, effects)).isZero();
        assertThat(seen).isEmpty();
    }

    /** basic.get-ok: the first ready message, and message-count is what is ready after it. */
    @Test
    void aCheckoutTakesTheFirstReadyMessageAndCountsWhatIsLeft() {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.enqueue(10, b("m1"), effects);
        q.enqueue(11, b("m2"), effects);
        assertThat(q.checkout("n1/x/1", false, effects)).isEqualTo(10);
        assertThat(seen).containsExactly("got:n1/x/1:10:m1:0:1");
        assertThat(q.readyCount()).isEqualTo(1);
        assertThat(q.unsettledCount()).isEqualTo(1);

        q.settle("n1/x/2", new long[] {10}, effects); // another getter's settle: ignored
        assertThat(q.unsettledCount()).isEqualTo(1);
        q.settle("n1/x/1", new long[] {10}, effects); // basic.ack
        assertThat(q.unsettledCount()).isZero();
    }

    /** basic.get with no-ack: the message leaves the queue at once. */
    @Test
    void aNoAckCheckoutLeavesNothingCheckedOut() {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.enqueue(10, b("m1"), effects);
        assertThat(q.checkout("n1/x/1", true, effects)).isEqualTo(10);
        assertThat(q.unsettledCount()).isZero();
        assertThat(q.readyCount()).isZero();
        q.giveBack("n1/x/1", new long[] {10}, effects); // nothing to return
        assertThat(q.readyCount()).isZero();
    }

    /** A requeued got message goes back to its place, counted against x-delivery-limit; past it, dead-lettered. */
    @Test
    void aGotMessageReturnedCountsAgainstTheDeliveryLimit() {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.declare(1, false);
        q.enqueue(10, b("poison"), effects);
        q.enqueue(11, b("next"), effects);
        q.checkout("n1/x/1", false, effects);
        q.giveBack("n1/x/1", new long[] {10}, effects);
        q.checkout("n1/x/2", false, effects);
        q.giveBack("n1/x/2", new long[] {10}, effects);

        assertThat(seen).containsExactly("got:n1/x/1:10:poison:0:1", "got:n1/x/2:10:poison:1:1", "dead:poison:2");
        assertThat(q.checkout("n1/x/3", false, effects)).isEqualTo(11);
    }

    /** A got message is no consumer's: it is not given to consumers while held, and a consumer gets it back after. */
    @Test
    void aGotMessageReturnedGoesToAConsumer() {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.enqueue(10, b("m1"), effects);
        q.checkout("n1/x/1", false, effects);
        q.attach("n2/y/1", 0, 0, false, 20, effects);
        assertThat(seen).containsExactly("got:n1/x/1:10:m1:0:0");
        q.giveBack("n1/x/1", new long[] {10}, effects);
        assertThat(seen).endsWith("n2/y/1:10:m1:1");
    }

    /** A node that restarts had its channels closed: what its gets held goes back to the queue. */
    @Test
    void aRestartedNodesGotMessagesGoBack() {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.enqueue(10, b("m1"), effects);
        q.checkout("n1/old/1", false, effects);
        q.detachAll("n1/", "n1/new/", 0, effects);
        assertThat(q.readyCount()).isEqualTo(1);
        assertThat(q.checkout("n1/new/2", false, effects)).isEqualTo(10);
        assertThat(seen).endsWith("got:n1/new/2:10:m1:1:0");
    }

    /** Snapshots did not change: a got message is a checkout as a consumer's is, and reads back as one. */
    @Test
    void aSnapshotKeepsAGotMessageCheckedOutToItsGetter() throws Exception {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.enqueue(10, b("m1"), effects);
        q.checkout("n1/x/1", false, effects);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            q.write(out);
        }
        QuorumQueueState copy = QuorumQueueState.read(Q,
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(copy.unsettledCount()).isEqualTo(1);
        copy.giveBack("n1/x/1", new long[] {10}, effects);
        assertThat(copy.readyCount()).isEqualTo(1);
    }

    /** The new operation went at the end: every operation written before keeps its byte. */
    @Test
    void theCheckoutIsANewOperationAfterEveryEarlierOne() {
        assertThat(QuorumCommand.Op.CHECKOUT.ordinal()).isEqualTo(11);
        assertThat(QuorumCommand.Op.SEQUENCED_BATCH.ordinal()).isEqualTo(10);
        QuorumCommand back = QuorumCommand.decode(
                QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n1/x/1", 1).encode());
        assertThat(back.op()).isEqualTo(QuorumCommand.Op.CHECKOUT);
        assertThat(back.consumer()).isEqualTo("n1/x/1");
        assertThat(back.number()).isEqualTo(1);
    }

    /** Through the state machine: answered with the id or 0, and a checkout sent twice takes one message. */
    @Test
    void theStateMachineAnswersACheckoutAndAppliesOneSentTwiceOnce() {
        QuorumStateMachine m = new QuorumStateMachine(effects);
        byte[] declare = QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, 0).encode();
        byte[] enqueue1 = QuorumCommand.enqueue(Q, b("m1")).encode();
        byte[] enqueue2 = QuorumCommand.enqueue(Q, b("m2")).encode();
        byte[] checkout = QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n1/x/1", 0).encode();
        m.applyEntry(QuorumBatch.encode(7, 1, new long[] {1, 2, 3}, List.of(declare, enqueue1, enqueue2)), 5);
        long[] first = m.applyEntry(QuorumBatch.encode(7, 1, new long[] {4}, List.of(checkout)), 6);
        long[] again = m.applyEntry(QuorumBatch.encode(7, 1, new long[] {4}, List.of(checkout)), 7);

        assertThat(first).containsExactly(QuorumBatch.position(5, 1));
        assertThat(again).containsExactly(QuorumBatch.position(5, 1));
        assertThat(seen).containsExactly("got:n1/x/1:" + QuorumBatch.position(5, 1) + ":m1:0:1");
        assertThat(m.readyCount(Q)).isEqualTo(1);

        byte[] other = QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n1/x/2", 1).encode();
        byte[] empty = QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n1/x/3", 1).encode();
        byte[] missing = QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, "/\0none", "n1/x/4", 1).encode();
        assertThat(m.applyEntry(QuorumBatch.encode(7, 5, new long[] {5, 6, 7}, List.of(other, empty, missing)), 8))
                .containsExactly(QuorumBatch.position(5, 2), 0, -1);
        assertThat(m.readyCount(Q)).isZero();
    }
}
