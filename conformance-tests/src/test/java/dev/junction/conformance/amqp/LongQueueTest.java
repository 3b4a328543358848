package dev.junction.conformance.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerFixture;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A durable queue far longer than its in-memory window, through the stock client: the persistent messages past
 * the window wait on disk, and consumers still get every one, in publish order (AMQP 0-9-1 queues are FIFO for a
 * single publisher and consumer).
 */
class LongQueueTest {

    // RabbitMQ queues guide: a queue delivers its messages FIFO; a backlog far past the delivery window still arrives
    // whole and in publish order.
    @Test
    void aBacklogTenTimesTheWindowIsConsumedCompleteAndInOrder() throws Exception {
        int n = 20_480; // ten times the default window of 2048
        try (BrokerFixture broker = BrokerFixture.start()) {
            ConnectionFactory f = new ConnectionFactory();
            f.setPort(broker.amqpPort());
            try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare("long", true, false, false, null);
                ch.confirmSelect();
                AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
                for (int i = 0; i < n; i++) {
                    ch.basicPublish("", "long", persistent, ByteBuffer.allocate(8).putLong(i).array());
                }
                ch.waitForConfirmsOrDie(60_000);
                var queue = broker.broker().engine().vhost("/").orElseThrow().queue("long").orElseThrow();
                assertThat(queue.messageCount()).isEqualTo(n);
                assertThat(queue.pagedCount()).as("messages kept on disk only").isGreaterThanOrEqualTo(n - 2048);

                LinkedBlockingQueue<Long> got = new LinkedBlockingQueue<>();
                ch.basicQos(100);
                ch.basicConsume("long", false, (tag, d) -> {
                    got.add(ByteBuffer.wrap(d.getBody()).getLong());
                    ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
                }, tag -> { });
                List<Long> order = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Long next = got.poll(30, TimeUnit.SECONDS);
                    assertThat(next).as("delivery %d of %d", i, n).isNotNull();
                    order.add(next);
                }
                for (int i = 0; i < n; i++) {
                    assertThat(order.get(i)).as("position %d", i).isEqualTo(i);
                }
                assertThat(got.poll(200, TimeUnit.MILLISECONDS)).as("nothing more").isNull();
            }
        }
    }
}
