package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue argument {@code x-message-deduplication: true} of the message-deduplication plugin, with the stock
 * client: a message whose {@code x-deduplication-header} equals that of a message still in the queue is confirmed
 * but not enqueued; once that message has left, the key is accepted again; a durable queue keeps this across a
 * restart.
 */
@Timeout(60)
class QueueDeduplicationTest {
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @TempDir
    Path dir;

    private static AMQP.BasicProperties keyed(String key) {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).headers(Map.of("x-deduplication-header", key))
                .build();
    }

    private static void publish(Channel ch, String q, String key, String body) throws Exception {
        ch.basicPublish("", q, key == null ? null : keyed(key), bytes(body));
        ch.waitForConfirmsOrDie(5000);
    }

    @Test
    void aDuplicateOfAMessageInTheQueueIsNotEnqueuedUntilThatMessageLeaves() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare("dedup.q", false, false, true, args("x-message-deduplication", true))
                    .getQueue();
            publish(ch, q, "k1", "first");
            publish(ch, q, "k1", "duplicate");
            publish(ch, q, "k2", "other");
            publish(ch, q, null, "plain");
            publish(ch, q, null, "plain");
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(4);

            GetResponse held = ch.basicGet(q, false); // k1, delivered and not yet acknowledged: still in the queue
            assertThat(text(held.getBody())).isEqualTo("first");
            publish(ch, q, "k1", "while unacknowledged");
            ch.basicNack(held.getEnvelope().getDeliveryTag(), false, true); // requeued: still there
            publish(ch, q, "k1", "after requeue");
            assertThat(drain(ch, q)).containsExactly("first", "other", "plain", "plain");

            publish(ch, q, "k1", "after it left"); // acknowledged (auto-ack get) above: accepted again
            publish(ch, q, "k2", "k2 again");
            ch.queuePurge(q);
            publish(ch, q, "k2", "after purge");
            assertThat(drain(ch, q)).containsExactly("after purge");
        }
    }

    /**
     * A message given up by the delivery limit (RabbitMQ's quorum-queue {@code x-delivery-limit}) has left the
     * queue, so its key is free again, as for any other departure.
     */
    @Test
    void aMessageDeadLetteredByTheDeliveryLimitFreesItsKey() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare("dedup.limited", false, false, true,
                    Map.of("x-message-deduplication", true, "x-delivery-limit", 0)).getQueue();
            publish(ch, q, "k1", "poison");
            GetResponse held = ch.basicGet(q, false);
            ch.basicNack(held.getEnvelope().getDeliveryTag(), false, true); // past the limit: dropped (no DLX)
            publish(ch, q, "k1", "next with the same key");
            assertThat(drain(ch, q)).containsExactly("next with the same key");
        }
    }

    @Test
    void aDurableQueueKeepsItsKeysAcrossARestart() throws Exception {
        Path data = dir.resolve("data");
        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            ch.queueDeclare("dedup.durable", true, false, false, args("x-message-deduplication", true));
            for (int i = 0; i < 3000; i++) { // more than the in-memory window: some keys are paged out
                publish(ch, "dedup.durable", "order-" + i, "order-" + i);
            }
        }
        broker.stop();
        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            publish(ch, "dedup.durable", "order-1", "retry of order-1");
            publish(ch, "dedup.durable", "order-2999", "retry of order-2999");
            publish(ch, "dedup.durable", "order-3000", "new");
            assertThat(ch.queueDeclarePassive("dedup.durable").getMessageCount()).isEqualTo(3001);
            assertThat(drain(ch, "dedup.durable")).hasSize(3001).doesNotContain("retry of order-1",
                    "retry of order-2999").endsWith("new");
            publish(ch, "dedup.durable", "order-1", "after it left");
            assertThat(drain(ch, "dedup.durable")).containsExactly("after it left");
            ch.queueDelete("dedup.durable");
        }
    }
}
