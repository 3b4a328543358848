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
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Consumers of every kind (auto-ack, exclusive, a sink that is not ready, one whose messages settle on send),
 * basic.get, a deleted queue's consumers, and what confirms and the store see.
 */
class ConsumerFlavoursTest extends QueueTestBase {

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
