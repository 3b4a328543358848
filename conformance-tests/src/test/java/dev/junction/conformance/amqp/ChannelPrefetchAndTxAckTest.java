package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.awaitTrue;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel-wide prefetch (basic.qos global=true, RabbitMQ's meaning) and acknowledgements inside transactions.
 *
 * <p>"Nothing more was delivered" is observed without waiting: the publishes are confirmed, a confirm is sent
 * after the queue has tried to deliver the message, and the queue's ready count (queue.declare-ok) then says
 * whether a consumer took it.
 */
@Timeout(30)
class ChannelPrefetchAndTxAckTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    /** A consumer recording its deliveries. */
    private static final class Recorder extends DefaultConsumer {
        final BlockingQueue<Envelope> envelopes = new LinkedBlockingQueue<>();
        final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();

        Recorder(Channel ch) {
            super(ch);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            envelopes.add(envelope);
            bodies.add(text(body));
        }
    }

    private static void publish(Channel confirm, String queue, String... bodies) throws Exception {
        for (String b : bodies) {
            confirm.basicPublish("", queue, null, bytes(b));
        }
        confirm.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
    }

    private static int ready(Channel ch, String queue) throws IOException {
        return ch.queueDeclarePassive(queue).getMessageCount();
    }

    @Test
    void globalQosSetAfterAConsumerStartedLimitsItCountingWhatItAlreadyHolds() throws Exception {
        // RabbitMQ basic.qos global=true: the limit applies to the channel's existing consumers at once and counts
        // the deliveries they already hold unacknowledged.
        try (Connection c = connect(broker)) {
            Channel pub = confirmChannel(c);
            String q = pub.queueDeclare(unique("gqos.late"), false, false, true, null).getQueue();
            publish(pub, q, "m1", "m2", "m3");
            Channel ch = c.createChannel();
            Recorder a = new Recorder(ch);
            ch.basicConsume(q, false, a);
            for (int i = 1; i <= 3; i++) {
                assertThat(next(a.bodies, "delivery " + i + " before any limit")).isEqualTo("m" + i);
            }

            ch.basicQos(2, true); // 3 unacknowledged already: over the new limit

            publish(pub, q, "m4", "m5", "m6");
            assertThat(ready(pub, q)).as("nothing delivered past the channel-wide limit").isEqualTo(3);

            ch.basicAck(2, true); // 1 unacknowledged left: room for exactly one more
            assertThat(next(a.bodies, "the delivery the freed credit allows")).isEqualTo("m4");
            awaitTrue("the queue to have handed over m4", () -> readyQuietly(pub, q) == 2);
        }
    }

    @Test
    void globalQosIsSharedAcrossQueuesAndHoldsBackNoAckConsumersUntilCreditFrees() throws Exception {
        // RabbitMQ basic.qos global=true: one limit for all the channel's consumers on all queues; a no-ack consumer
        // takes no credit but gets nothing while the limit is used up; basic.recover releases what it requeues.
        try (Connection c = connect(broker)) {
            Channel pub = confirmChannel(c);
            // Not auto-delete: cancelling its only consumer must leave a1 outstanding, not delete the queue.
            String q1 = pub.queueDeclare(unique("gqos.q1"), false, false, false, null).getQueue();
            String q2 = pub.queueDeclare(unique("gqos.q2"), false, false, true, null).getQueue();
            String q3 = pub.queueDeclare(unique("gqos.q3"), false, false, true, null).getQueue();
            Channel ch = c.createChannel();
            ch.basicQos(1, true);
            Recorder acking = new Recorder(ch);
            ch.basicConsume(q1, false, acking);
            publish(pub, q1, "a1");
            assertThat(next(acking.bodies, "a1")).isEqualTo("a1");

            Recorder otherQueue = new Recorder(ch);
            ch.basicConsume(q2, false, otherQueue);
            Recorder noAck = new Recorder(ch);
            ch.basicConsume(q3, true, noAck);
            publish(pub, q2, "b1");
            publish(pub, q3, "c1");
            assertThat(ready(pub, q2)).as("an acking consumer on another queue shares the used-up limit")
                    .isEqualTo(1);
            assertThat(ready(pub, q3)).as("a no-ack consumer waits while the channel's limit is used up")
                    .isEqualTo(1);

            // Cancelling keeps a1 outstanding (and its credit taken); basic.recover requeues it and frees the credit.
            ch.basicCancel(acking.getConsumerTag());
            ch.basicRecover(true);
            Envelope b1 = next(otherQueue.envelopes, "b1 once recover freed the credit");
            assertThat(b1.isRedeliver()).isFalse();
            ch.basicAck(b1.getDeliveryTag(), false);
            assertThat(next(noAck.bodies, "c1 once credit is free")).isEqualTo("c1");
            // The requeue runs in q1's own mailbox, independently of the credit it frees on the channel: wait for it.
            awaitTrue("a1 requeued by basic.recover", () -> readyQuietly(pub, q1) == 1);
            pub.queueDelete(q1);
        }
    }

    private static int readyQuietly(Channel ch, String q) {
        try {
            return ready(ch, q);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void ackInsideATransactionIsNotRedeliveredByRecover() throws Exception {
        // RabbitMQ tx + basic.recover: a delivery acknowledged in the open transaction is no longer outstanding;
        // recover requeues only the others.
        try (Connection c = connect(broker)) {
            Channel pub = confirmChannel(c);
            String q = pub.queueDeclare(unique("tx.recover"), false, false, true, null).getQueue();
            publish(pub, q, "t1", "t2", "t3");
            Channel ch = c.createChannel();
            ch.txSelect();
            GetResponse r1 = ch.basicGet(q, false);
            GetResponse r2 = ch.basicGet(q, false);
            assertThat(text(r1.getBody())).isEqualTo("t1");
            assertThat(text(r2.getBody())).isEqualTo("t2");
            ch.basicAck(r1.getEnvelope().getDeliveryTag(), false);
            ch.basicRecover(true);
            awaitTrue("t2 back in the queue", () -> readyQuietly(pub, q) >= 2);
            assertThat(ready(pub, q)).as("t2 and t3 ready; t1 acked in the transaction stays out").isEqualTo(2);
            ch.txCommit();
            assertThat(text(ch.basicGet(q, true).getBody())).isEqualTo("t2");
            assertThat(text(ch.basicGet(q, true).getBody())).isEqualTo("t3");
            assertThat(ch.basicGet(q, true)).isNull();
        }
    }

    @Test
    void secondAckOfATagInsideATransactionIs406AtOnce() throws Exception {
        // AMQP 0-9-1 basic.ack: a tag that is not outstanding is a channel error (406 PRECONDITION_FAILED,
        // RabbitMQ "unknown delivery tag"); inside a transaction it is checked when the ack arrives, not at commit.
        try (Connection c = connect(broker)) {
            Channel pub = confirmChannel(c);
            String q = pub.queueDeclare(unique("tx.double"), false, false, true, null).getQueue();
            publish(pub, q, "d1");
            Channel ch = c.createChannel();
            ch.txSelect();
            GetResponse r = ch.basicGet(q, false);
            ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            // The channel is closed in answer to the second ack; the next synchronous method sees it.
            AMQP.Channel.Close close = assertChannelClosed(
                    org.assertj.core.api.Assertions.catchThrowable(() -> ch.queueDeclarePassive(q)), 406);
            assertThat(close.getMethodId()).as("the second basic.ack is the culprit").isEqualTo(80);
            // Never committed: the message goes back to the queue with the channel.
            awaitTrue("d1 requeued", () -> readyQuietly(pub, q) == 1);
        }
    }
}
