package dev.junction.conformance.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerFixture;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Back-pressure: memory alarms block publishers (connection.blocked) and the connection limit holds. */
class AmqpFlowControlTest {

    private static ConnectionFactory factory(BrokerFixture broker) {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        return f;
    }

    @Test
    void memoryAlarmSendsConnectionBlockedHoldsPublishesAndUnblocksWhenCleared() throws Exception {
        // RabbitMQ connection.blocked extension: publishers are told, and their publishes wait, while blocked.
        try (BrokerFixture broker = BrokerFixture.start(); Connection c = factory(broker).newConnection()) {
            BlockingQueue<String> events = new ArrayBlockingQueue<>(4);
            c.addBlockedListener(new BlockedListener() {
                @Override
                public void handleBlocked(String reason) {
                    events.add("blocked: " + reason);
                }

                @Override
                public void handleUnblocked() {
                    events.add("unblocked");
                }
            });
            Channel ch = c.createChannel();
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("", q, null, new byte[] {1}); // now a publisher
            // A round trip: that publish was handled before the alarm (one read after the alarm would be held).
            ch.queueDeclarePassive(q);
            var alarm = broker.broker().engine().memoryAlarm();
            try {
                alarm.force(true);
                assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("blocked: low on memory");
                ch.basicPublish("", q, null, new byte[] {2});
                var queue = broker.broker().engine().vhost("/").orElseThrow().queue(q).orElseThrow();
                Thread.sleep(300); // a negative check: the held publish must not arrive while blocked
                assertThat(queue.messageCount()).as("ready messages while blocked").isEqualTo(1);
                alarm.force(false);
                assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("unblocked");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (queue.messageCount() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(queue.messageCount()).isEqualTo(2);
            } finally {
                alarm.force(null);
            }
        }
    }

    @Test
    void connectionsPastMaxConnectionsAreRefusedAndOthersKeepWorking() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(60, 16 * 1024 * 1024, 2)) {
            ConnectionFactory f = factory(broker);
            f.setConnectionTimeout(3000);
            f.setHandshakeTimeout(3000);
            try (Connection a = f.newConnection(); Connection b = f.newConnection()) {
                assertThatThrownBy(f::newConnection).isInstanceOf(IOException.class);
                Channel ch = a.createChannel();
                assertThat(ch.queueDeclare().getQueue()).startsWith("amq.gen-");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Connection again = null;
            while (again == null) {
                try {
                    again = f.newConnection();
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
            again.close();
        }
    }
}
