package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent messages held by a durable {@code x-delayed-message} exchange survive SIGKILL once confirmed (the
 * confirm waits for the held message's fsync), are still held after the restart, and are released in due-time
 * order when due; a transient message held in memory is gone, as with a transient message in a durable queue.
 */
@Timeout(120)
class DelayedMessageCrashRecoveryTest {
    @TempDir
    Path dir;

    private static ConnectionFactory factory(BrokerProcess broker) throws InterruptedException {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.port("amqp"));
        return f;
    }

    private static AMQP.BasicProperties delayed(long ms, int deliveryMode) {
        return new AMQP.BasicProperties.Builder().deliveryMode(deliveryMode).headers(Map.of("x-delay", ms)).build();
    }

    @Test
    void confirmedPersistentDelayedMessagesSurviveSigkillAndArriveInDueOrder() throws Exception {
        Path data = dir.resolve("data");
        long published;
        BrokerProcess first = BrokerProcess.start(data, "");
        try (Connection c = factory(first).newConnection(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare("dx.crash", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
            ch.queueDeclare("dx.crash.q", true, false, false, null);
            ch.queueBind("dx.crash.q", "dx.crash", "k");
            ch.confirmSelect();
            published = System.currentTimeMillis(); // before the broker takes the first: a lower bound holds
            // Due in reverse publish order; long enough that none is due before the kill and the restart.
            ch.basicPublish("dx.crash", "k", delayed(9_000, 2), bytes("late"));
            ch.basicPublish("dx.crash", "k", delayed(7_000, 2), bytes("early"));
            ch.basicPublish("dx.crash", "k", delayed(7_000, 1), bytes("transient"));
            ch.waitForConfirmsOrDie(10_000);
        } finally {
            first.kill();
        }
        try (BrokerProcess broker = BrokerProcess.start(data, "");
             Connection c = factory(broker).newConnection(); Channel ch = c.createChannel()) {
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (got.size() < 2 && System.currentTimeMillis() < deadline) {
                GetResponse r = ch.basicGet("dx.crash.q", true);
                if (r == null) {
                    Thread.sleep(50);
                    continue;
                }
                assertThat(System.currentTimeMillis() - published).as("not released before its delay")
                        .isGreaterThanOrEqualTo(got.isEmpty() ? 7_000 : 9_000);
                got.add(new String(r.getBody(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactly("early", "late");
            Thread.sleep(200);
            assertThat(ch.basicGet("dx.crash.q", true)).as("the transient one did not survive").isNull();
        }
    }

    /**
     * Many more than the heap window of held messages (their due times are in the store's time index on disk), the
     * last of them confirmed just before the kill, so some index entries may not have reached the disk: every one
     * is released once after the restart, in publish order (one delay for all).
     */
    @Test
    void heldMessagesBeyondTheHeapWindowSurviveSigkillOnceEachInOrder() throws Exception {
        Path data = dir.resolve("data");
        int n = 20_000;
        BrokerProcess first = BrokerProcess.start(data, "");
        try (Connection c = factory(first).newConnection(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare("dx.many", "x-delayed-message", true, false, Map.of("x-delayed-type", "fanout"));
            ch.queueDeclare("dx.many.q", true, false, false, null);
            ch.queueBind("dx.many.q", "dx.many", "");
            ch.confirmSelect();
            for (int i = 0; i < n; i++) {
                ch.basicPublish("dx.many", "", delayed(8_000, 2), bytes(Integer.toString(i)));
            }
            ch.waitForConfirmsOrDie(30_000);
        } finally {
            first.kill();
        }
        try (BrokerProcess broker = BrokerProcess.start(data, "");
             Connection c = factory(broker).newConnection(); Channel ch = c.createChannel()) {
            int next = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (next < n && System.currentTimeMillis() < deadline) {
                GetResponse r = ch.basicGet("dx.many.q", true);
                if (r == null) {
                    Thread.sleep(20);
                    continue;
                }
                assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(next++));
            }
            assertThat(next).isEqualTo(n);
            Thread.sleep(200);
            assertThat(ch.basicGet("dx.many.q", true)).as("each one once").isNull();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
