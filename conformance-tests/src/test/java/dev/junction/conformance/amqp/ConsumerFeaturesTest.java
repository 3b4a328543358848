package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.publishConfirmed;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import dev.junction.conformance.ConformanceBroker;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which consumer of a queue gets a message, seen through the stock client: a single active consumer, consumer
 * priorities ({@code x-priority}), the server's {@code basic.cancel} when the queue goes, and {@code basic.recover}.
 */
@Timeout(30)
class ConsumerFeaturesTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void singleActiveConsumerGetsEverythingUntilItCancels() throws Exception {
        // RabbitMQ x-single-active-consumer: only the first consumer receives; the next takes over on cancel
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.sac"), false, false, true,
                    args("x-single-active-consumer", true)).getQueue();
            Channel first = c.createChannel();
            Channel second = c.createChannel();
            BlockingQueue<String> gotFirst = new LinkedBlockingQueue<>();
            BlockingQueue<String> gotSecond = new LinkedBlockingQueue<>();
            String firstTag = first.basicConsume(q, true, (t, d) -> gotFirst.add(text(d.getBody())), t -> { });
            second.basicConsume(q, true, (t, d) -> gotSecond.add(text(d.getBody())), t -> { });
            for (String m : List.of("a", "b", "c")) {
                publishConfirmed(ch, "", q, null, m);
            }
            assertThat(List.of(next(gotFirst, "a"), next(gotFirst, "b"), next(gotFirst, "c")))
                    .containsExactly("a", "b", "c");
            assertThat(gotSecond).isEmpty();
            assertThat(ch.queueDeclarePassive(q).getConsumerCount()).isEqualTo(2);

            first.basicCancel(firstTag);
            for (String m : List.of("d", "e")) {
                publishConfirmed(ch, "", q, null, m);
            }
            assertThat(List.of(next(gotSecond, "d"), next(gotSecond, "e"))).containsExactly("d", "e");
            assertThat(gotFirst).isEmpty();
        }
    }

    @Test
    void basicRecoverRequeuesUnackedMessagesFlaggedRedelivered() throws Exception {
        // AMQP 0-9-1 basic.recover requeue=true: unacknowledged messages are redelivered, redelivered=true
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.recover"), false, false, true, null).getQueue();
            publishConfirmed(ch, "", q, null, "recover-me");
            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            Channel consumer = c.createChannel();
            consumer.basicConsume(q, false, (t, d) -> got.add(d), t -> { });
            Delivery first = next(got, "first delivery");
            assertThat(first.getEnvelope().isRedeliver()).isFalse();
            consumer.basicRecover(true);
            Delivery again = next(got, "redelivery after basic.recover");
            assertThat(text(again.getBody())).isEqualTo("recover-me");
            assertThat(again.getEnvelope().isRedeliver()).isTrue();
            consumer.basicAck(again.getEnvelope().getDeliveryTag(), false);
        }
    }

    @Test
    void deletingAQueueFromAnotherChannelSendsTheConsumerACancelNotification() throws Exception {
        // RabbitMQ consumer cancel notification: queue deleted => server basic.cancel => Consumer.handleCancel
        try (Connection c = connect(broker); Connection other = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("qf.cancel"), false, false, false, null).getQueue();
            BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
            String tag = ch.basicConsume(q, true, new DefaultConsumer(ch) {
                @Override
                public void handleCancel(String consumerTag) {
                    cancelled.add(consumerTag);
                }
            });
            other.createChannel().queueDelete(q);
            assertThat(next(cancelled, "handleCancel")).isEqualTo(tag);
            assertThat(ch.isOpen()).as("the consumer's channel stays open").isTrue();
            assertThat(ch.queueDeclare().getQueue()).startsWith("amq.gen-");
        }
    }

    @Test
    void consumerPriorityPrefersTheHigherPriorityConsumerWhileItHasCredit() throws Exception {
        // RabbitMQ consumer priorities (x-priority): higher priority consumers get messages while not blocked
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.cprio"), false, false, true, null).getQueue();
            Channel lowCh = c.createChannel();
            Channel highCh = c.createChannel();
            BlockingQueue<String> low = new LinkedBlockingQueue<>();
            BlockingQueue<String> high = new LinkedBlockingQueue<>();
            lowCh.basicConsume(q, true, args("x-priority", 1), (t, d) -> low.add(text(d.getBody())), t -> { });
            highCh.basicConsume(q, true, args("x-priority", 10), (t, d) -> high.add(text(d.getBody())), t -> { });
            for (int i = 1; i <= 4; i++) {
                publishConfirmed(ch, "", q, null, "m" + i);
            }
            for (int i = 1; i <= 4; i++) {
                assertThat(next(high, "m" + i + " at the high-priority consumer")).isEqualTo("m" + i);
            }
            assertThat(low).isEmpty();
        }
    }

    @Test
    void consumerPriorityFallsBackToTheLowerConsumerWhenTheHigherIsOutOfPrefetch() throws Exception {
        // RabbitMQ consumer priorities: a blocked (prefetch-exhausted) high-priority consumer yields to lower ones
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.cprio2"), false, false, true, null).getQueue();
            Channel lowCh = c.createChannel();
            Channel highCh = c.createChannel();
            highCh.basicQos(2);
            BlockingQueue<String> low = new LinkedBlockingQueue<>();
            BlockingQueue<String> high = new LinkedBlockingQueue<>();
            lowCh.basicConsume(q, true, args("x-priority", 1), (t, d) -> low.add(text(d.getBody())), t -> { });
            highCh.basicConsume(q, false, args("x-priority", 10), (t, d) -> high.add(text(d.getBody())), t -> { });
            for (int i = 1; i <= 5; i++) {
                publishConfirmed(ch, "", q, null, "m" + i);
            }
            assertThat(List.of(next(high, "m1"), next(high, "m2"))).containsExactly("m1", "m2");
            assertThat(List.of(next(low, "m3"), next(low, "m4"), next(low, "m5"))).containsExactly("m3", "m4", "m5");
            assertThat(high).isEmpty();
        }
    }
}
