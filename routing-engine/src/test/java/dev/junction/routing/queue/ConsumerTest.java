package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.ack;
import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static dev.junction.routing.EngineFixture.settle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Settlement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consumers: credit, settlement and the choice of consumer. */
class ConsumerTest extends QueueTestBase {

    // ---- credit ---------------------------------------------------------------------------------------------

    @Test
    void prefetchCountBoundsOutstandingDeliveriesAndAnAckReleasesCredit() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c", new Prefetch(2, 0));

        publish("q", "m1", "m2", "m3");

        List<Delivery> first = c.next(2);
        assertThat(first).extracting(EngineFixture::body).containsExactly("m1", "m2");
        c.none();
        assertThat(q.messageCount()).isEqualTo(1);

        ack(first.get(0));

        assertThat(body(c.next())).isEqualTo("m3");
    }

    @Test
    void prefetchBytesBoundsOutstandingBytesAndAnAckReleasesThem() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c", new Prefetch(0, 10));

        publish("q", "aaaaaa", "bbbbbb"); // 6 + 6 bytes > 10

        Delivery first = c.next();
        assertThat(body(first)).isEqualTo("aaaaaa");
        c.none();

        ack(first);

        assertThat(body(c.next())).isEqualTo("bbbbbb");
    }

    @Test
    void aMessageLargerThanThePrefetchBytesStillGoesThroughWhenNothingIsOutstanding() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c", new Prefetch(0, 4));

        publish("q", "larger-than-four-bytes", "next");

        assertThat(body(c.next())).isEqualTo("larger-than-four-bytes");
        c.none();
    }

    @Test
    void aChannelWidePrefetchIsSharedByConsumersOfTwoQueues() {
        Queue q1 = fx.declare("q1");
        Queue q2 = fx.declare("q2");
        Prefetch channel = new Prefetch(2, 0);
        RecordingSink c1 = fx.consume(q1, "c1", channel);
        RecordingSink c2 = fx.consume(q2, "c2", channel);

        publish("q1", "a1");
        publish("q2", "b1");
        Delivery a1 = c1.next();
        Delivery b1 = c2.next();
        assertThat(channel.inUse()).isEqualTo(2);

        publish("q1", "a2");
        c1.none(); // the channel's two credits are both in use, one of them by the other queue

        ack(b1); // credit released on q2 wakes q1

        assertThat(body(c1.next())).isEqualTo("a2");
        publish("q2", "b2");
        c2.none();
        ack(a1);
        assertThat(body(c2.next())).isEqualTo("b2");
    }

    @Test
    void deletingAQueueGivesBackTheSharedPrefetchCreditOfItsUnackedDeliveries() {
        Queue q1 = fx.declare("q1");
        Queue q2 = fx.declare("q2");
        Prefetch channel = new Prefetch(1, 0);
        RecordingSink c1 = fx.consume(q1, "c1", channel);
        RecordingSink c2 = fx.consume(q2, "c2", channel);
        publish("q1", "a1");
        Delivery a1 = c1.next();

        await(fx.vhost.deleteQueue("q1", false, false, EngineFixture.OWNER));
        ack(a1); // the client still acks the delivery it holds; the queue is gone

        publish("q2", "b1");
        assertThat(body(c2.next())).as("the channel's credit must not leak with the deleted queue")
                .isEqualTo("b1");
    }

    @Test
    void cancellingOneConsumerKeepsTheQueueWaitingForSharedPrefetchCredit() {
        Queue q1 = fx.declare("q1");
        Queue q2 = fx.declare("q2");
        Prefetch channel = new Prefetch(1, 0);
        RecordingSink a = fx.consume(q1, "a", channel);
        RecordingSink b = fx.consume(q1, "b", channel);
        RecordingSink other = fx.consume(q2, "other", channel);
        publish("q2", "x");
        Delivery x = other.next(); // the channel's only credit is now in use
        publish("q1", "m1");
        a.none();
        b.none();

        await(a.consumer.cancel());
        ack(x);

        assertThat(body(b.next())).isEqualTo("m1");
    }

    // ---- settlement -----------------------------------------------------------------------------------------

    @Test
    void settlingSeveralDeliveryIdsAtOnceAcksThemAll() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c", new Prefetch(3, 0));
        publish("q", "m1", "m2", "m3", "m4");
        List<Delivery> three = c.next(3);
        c.none();
        assertThat(q.unackedCount()).isEqualTo(3);

        ack(three.toArray(Delivery[]::new));

        assertThat(body(c.next())).isEqualTo("m4");
        eventually("only m4 is unacked", () -> q.unackedCount() == 1);
        assertThat(q.messageCount()).isZero();
    }

    @Test
    void requeueMarksRedeliveredAndRestoresTheOriginalOrderAheadOfNewerMessages() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c", new Prefetch(3, 0));
        publish("q", "m1", "m2", "m3", "m4");
        List<Delivery> d = c.next(3);
        assertThat(d).extracting(Delivery::redelivered).containsOnly(false);

        settle(Settlement.REQUEUE, d.get(2), d.get(0)); // m3 and m1, out of order

        List<Delivery> again = c.next(2);
        assertThat(again).extracting(EngineFixture::body).containsExactly("m1", "m3");
        assertThat(again).extracting(Delivery::redelivered).containsOnly(true);
        assertThat(again).extracting(Delivery::deliveryCount).containsOnly(2);
        c.none(); // m4 waits: m2 still holds a credit

        ack(d.get(1));

        Delivery m4 = c.next();
        assertThat(body(m4)).isEqualTo("m4");
        assertThat(m4.redelivered()).isFalse();
    }

    @Test
    void discardDeadLettersTheMessageWithReasonRejected() {
        fx.declareExchange("dlx", ExchangeType.FANOUT);
        Queue dlq = fx.declare("dlq");
        fx.bindQueue("dlx", "dlq", "");
        RecordingSink dead = fx.consume(dlq, "dead");
        Queue q = fx.declare("q", Map.of("x-dead-letter-exchange", "dlx"));
        RecordingSink c = fx.consume(q, "c");
        publish("q", "m1");

        settle(Settlement.DISCARD, c.next());

        Delivery d = dead.next();
        assertThat(body(d)).isEqualTo("m1");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) d.message().properties().header("x-death");
        assertThat(deaths).singleElement().satisfies(t -> assertThat(t)
                .containsEntry("queue", "q").containsEntry("reason", "rejected").containsEntry("count", 1L));
        c.none(); // not requeued
        eventually("nothing is left unacked", () -> q.unackedCount() == 0);
    }

    // ---- choosing a consumer --------------------------------------------------------------------------------

    @Test
    void consumersOfEqualPriorityTakeTurns() {
        Queue q = fx.declare("q");
        RecordingSink c1 = fx.consume(q, "c1");
        RecordingSink c2 = fx.consume(q, "c2");

        publish("q", "m1", "m2", "m3", "m4");

        assertThat(c1.nextBodies(2)).containsExactly("m1", "m3");
        assertThat(c2.nextBodies(2)).containsExactly("m2", "m4");
    }

    @Test
    void aHigherPriorityConsumerGetsMessagesWhileItHasCreditAndALowerOneGetsThemWhenItHasNone() {
        Queue q = fx.declare("q");
        RecordingSink low = consume(q, new ConsumerSpec("low", false, false, 0, List.of(), null));
        RecordingSink high = consume(q, new ConsumerSpec("high", false, false, 10,
                List.of(new Prefetch(2, 0)), null));

        publish("q", "m1", "m2", "m3");

        List<Delivery> toHigh = high.next(2);
        assertThat(toHigh).extracting(EngineFixture::body).containsExactly("m1", "m2");
        assertThat(body(low.next())).isEqualTo("m3");

        ack(toHigh.get(0));
        eventually("high has credit again", () -> q.unackedCount() == 2);
        publish("q", "m4");

        assertThat(body(high.next())).isEqualTo("m4");
        low.none();
    }
}
