package dev.junction.conformance.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shortest path through the stock RabbitMQ client: connect, declare, publish, get, consume, confirm. */
class AmqpSmokeTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void stockClientPublishesGetsAndConsumes() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            assertThat(c.getServerProperties().get("product").toString()).isEqualTo("Junction");
            String q = ch.queueDeclare().getQueue();
            ch.confirmSelect();
            ch.basicPublish("", q, null, "hello".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5000);
            var got = ch.basicGet(q, true);
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");

            BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
            DeliverCallback cb = (tag, d) -> {
                // Ack first: the test closes the channel as soon as it has seen the last message.
                ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
                received.add(new String(d.getBody(), StandardCharsets.UTF_8));
            };
            ch.basicConsume(q, false, cb, tag -> { });
            for (int i = 0; i < 5; i++) {
                ch.basicPublish("", q, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void autoAckConsumerDrainsABacklogFarLargerThanTheDeliveryWindow() throws Exception {
        // Deliveries waiting for the event loop are bounded; once they drain, the queue must be told to go on.
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            String q = ch.queueDeclare().getQueue();
            ch.confirmSelect();
            int n = 50_000;
            for (int i = 0; i < n; i++) {
                ch.basicPublish("", q, null, new byte[16]);
            }
            ch.waitForConfirmsOrDie(30_000);
            java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(n);
            ch.basicConsume(q, true, (tag, d) -> all.countDown(), tag -> { });
            assertThat(all.await(60, TimeUnit.SECONDS)).as("%d of %d not delivered", all.getCount(), n).isTrue();
        }
    }
}
