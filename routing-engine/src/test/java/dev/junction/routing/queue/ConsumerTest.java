package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.ack;
import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static dev.junction.routing.EngineFixture.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consumers, credit, settlement and basic.get. */
class ConsumerTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private RecordingSink consume(Queue q, ConsumerSpec spec) {
        RecordingSink sink = new RecordingSink();
        sink.consumer = fx.consume(q, spec, sink);
        return sink;
    }

    private void publish(String queue, String... bodies) {
        for (String b : bodies) {
            fx.publish("", queue, b);
        }
    }

    private static ErrorKind kindOf(Throwable t) {
        return ((BrokerException) t).kind();
    }

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

    // ---- queue deletion, get --------------------------------------------------------------------------------

    @Test
    void deletingAQueueCancelsItsConsumers() {
        Queue q = fx.declare("q");
        RecordingSink c1 = fx.consume(q, "c1");
        RecordingSink c2 = fx.consume(q, "c2");
        assertThat(c1.cancelled).isFalse();

        await(fx.vhost.deleteQueue("q", false, false, EngineFixture.OWNER));

        assertThat(c1.cancelled).isTrue();
        assertThat(c2.cancelled).isTrue();
        assertThat(q.consumerCount()).isZero();
        assertThat(fx.vhost.queue("q")).isEmpty();
    }

    @Test
    void getReturnsDeliveriesWithTheRemainingCountAndNullWhenEmpty() {
        Queue q = fx.declare("q");
        publish("q", "m1", "m2", "m3");
        eventually("three messages are ready", () -> q.messageCount() == 3);

        Delivery d1 = await(q.get(false));
        assertThat(body(d1)).isEqualTo("m1");
        assertThat(d1.remaining()).isEqualTo(2);
        assertThat(d1.autoAck()).isFalse();

        Delivery d2 = await(q.get(true));
        assertThat(body(d2)).isEqualTo("m2");
        assertThat(d2.remaining()).isEqualTo(1);
        assertThat(d2.autoAck()).isTrue();

        settle(Settlement.REQUEUE, d1);
        Delivery again = await(q.get(true));
        assertThat(body(again)).isEqualTo("m1");
        assertThat(again.redelivered()).isTrue();
        assertThat(again.remaining()).isEqualTo(1);

        assertThat(body(await(q.get(true)))).isEqualTo("m3");
        assertThat(await(q.get(false))).isNull();
        assertThat(q.unackedCount()).isZero();
    }

    // ---- consumer flavours ----------------------------------------------------------------------------------

    @Test
    void anAutoAckConsumerNeedsNoSettlement() {
        Queue q = fx.declare("q");
        RecordingSink c = consume(q, new ConsumerSpec("c", true, false, 0, List.of(new Prefetch(1, 0)), null));

        publish("q", "m1", "m2", "m3");

        List<Delivery> all = c.next(3);
        assertThat(all).extracting(EngineFixture::body).containsExactly("m1", "m2", "m3");
        assertThat(all).extracting(Delivery::autoAck).containsOnly(true);
        eventually("nothing is ready", () -> q.messageCount() == 0);
        assertThat(q.unackedCount()).isZero();
    }

    @Test
    void anAutoAckConsumerWaitsWhileASharedLimitIsUsedUpAndTakesNoCredit() {
        // RabbitMQ basic.qos global: a no-ack consumer is held back while the channel's limit is used up by its
        // acking consumers (on any queue), and its own deliveries do not count against the limit
        Prefetch channel = new Prefetch(1, 0);
        Queue acking = fx.declare("acking");
        Queue noAck = fx.declare("noack");
        RecordingSink a = consume(acking, new ConsumerSpec("a", false, false, 0, List.of(channel), null));
        publish("acking", "a1");
        Delivery a1 = a.next();

        RecordingSink n = consume(noAck, new ConsumerSpec("n", true, false, 0, List.of(channel), null));
        publish("noack", "n1", "n2");
        eventually("n1 and n2 wait in their queue", () -> noAck.messageCount() == 2);
        n.none();

        ack(a1);
        assertThat(n.next(2)).extracting(EngineFixture::body).containsExactly("n1", "n2");
        assertThat(channel.inUse()).as("auto-ack deliveries take no credit").isZero();
    }

    @Test
    void anExclusiveConsumerRefusesASecondConsumer() {
        Queue q = fx.declare("q");
        consume(q, new ConsumerSpec("first", false, true, 0, List.of(), null));

        assertThatThrownBy(() -> consume(q, ConsumerSpec.of("second", false)))
                .isInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(ErrorKind.ACCESS_REFUSED));
        assertThat(q.consumerCount()).isEqualTo(1);
    }

    @Test
    void anExclusiveConsumerIsRefusedWhileAnotherConsumerExists() {
        Queue q = fx.declare("q");
        RecordingSink first = consume(q, ConsumerSpec.of("first", false));
        ConsumerSpec exclusive = new ConsumerSpec("second", false, true, 0, List.of(), null);

        assertThatThrownBy(() -> consume(q, exclusive))
                .isInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(ErrorKind.ACCESS_REFUSED));

        await(first.consumer.cancel());
        RecordingSink second = consume(q, exclusive);
        publish("q", "m1");
        assertThat(body(second.next())).isEqualTo("m1");
    }

    @Test
    void aSinkThatIsNotReadyReceivesNothingUntilTheConsumerResumes() {
        Queue q = fx.declare("q");
        RecordingSink c = new RecordingSink();
        c.ready = false;
        Consumer consumer = fx.consume(q, ConsumerSpec.of("c", false), c);

        publish("q", "m1", "m2");
        c.none();
        assertThat(q.messageCount()).isEqualTo(2);

        c.ready = true;
        consumer.resume();

        assertThat(c.nextBodies(2)).containsExactly("m1", "m2");
    }

    // ---- confirms and the store -----------------------------------------------------------------------------

    @Test
    void aConfirmedPublishCompletesTrueOnceTheQueueHasTheMessage() {
        Queue q = fx.declare("q");

        PublishResult result = fx.publish(EngineFixture.message("", "q", null, "m1"), true);

        assertThat(result.routedQueues()).isEqualTo(1);
        assertThat(await(result.confirmed())).isTrue();
        assertThat(body(await(q.get(true)))).isEqualTo("m1");
    }

    @Test
    void aPersistentMessageInADurableQueueStaysInTheStoreUntilAcked() {
        Queue q = fx.declare(QueueSpec.durable("dq"));
        MessageProperties persistent = MessageProperties.builder()
                .deliveryMode(MessageProperties.PERSISTENT).build();

        assertThat(await(fx.publish(EngineFixture.message("", "dq", persistent, "keep"), true).confirmed()))
                .isTrue();
        assertThat(fx.store.count(q.key())).isEqualTo(1);
        assertThat(await(fx.publish(EngineFixture.message("", "dq", null, "transient"), true).confirmed()))
                .isTrue();
        assertThat(fx.store.count(q.key())).as("a transient message is not stored").isEqualTo(1);

        RecordingSink c = fx.consume(q, "c");
        List<Delivery> d = c.next(2);
        assertThat(fx.store.count(q.key())).as("delivered but not acked").isEqualTo(1);

        ack(d.get(0));

        eventually("the acked message leaves the store", () -> fx.store.count(q.key()) == 0);
    }

    @Test
    void messagesTheSinkNeverSettlesAreHandedOverAutoAckedWithoutTakingCredit() {
        // MQTT QoS 0: a window of one must not hold the queue back waiting for settlements that never come.
        Queue q = fx.declare("fire-and-forget");
        var received = new java.util.concurrent.LinkedBlockingQueue<Delivery>();
        DeliverySink sink = new DeliverySink() {
            @Override
            public void deliver(Delivery d) {
                received.add(d);
            }

            @Override
            public boolean settlesOnSend(dev.junction.routing.api.Message m) {
                return !"needs-ack".equals(EngineFixture.body(m));
            }
        };
        fx.consume(q, ConsumerSpec.of("c", false, new Prefetch(1, 0)), sink);
        fx.publish("", "fire-and-forget", "needs-ack");
        for (int i = 0; i < 5; i++) {
            fx.publish("", "fire-and-forget", "m" + i);
        }
        eventually("all six delivered", () -> received.size() == 6);
        assertThat(received).extracting(Delivery::autoAck).containsExactly(false, true, true, true, true, true);
        assertThat(q.unackedCount()).isEqualTo(1); // only the one that will be settled
        assertThat(q.messageCount()).isZero();
    }
}
