package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code x-delayed-message} exchange as RabbitMQ's delayed-message plugin defines it, seen by the stock Java
 * client: the declare refusal without {@code x-delayed-type}, release in due-time order, routing by the underlying
 * type at due time, and Junction's {@code delayed_pending} on the management API, also after a restart. Timing is
 * asserted only as a lower bound (a message never arrives before its delay), never as an upper one.
 */
@Timeout(60)
class DelayedMessageExchangeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.port("amqp"));
        f.setUsername("admin");
        f.setPassword("pw");
        return f.newConnection();
    }

    private static AMQP.BasicProperties delay(long ms) {
        return new AMQP.BasicProperties.Builder().headers(Map.of("x-delay", ms)).build();
    }

    private static void declareDelayed(Channel ch, String name, String type) throws IOException {
        ch.exchangeDeclare(name, "x-delayed-message", false, false, Map.of("x-delayed-type", type));
    }

    /** Consumes {@code queue}, putting each body with its arrival time (nanoTime) on the returned queue. */
    private static BlockingQueue<Object[]> consume(Channel ch, String queue) throws IOException {
        BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                got.add(new Object[] {new String(body, StandardCharsets.UTF_8), System.nanoTime(), props});
            }
        });
        return got;
    }

    private static Object[] next(BlockingQueue<Object[]> q) throws InterruptedException {
        Object[] o = q.poll(20, TimeUnit.SECONDS);
        assertThat(o).as("a delivery").isNotNull();
        return o;
    }

    @Test
    void declareWithoutDelayedTypeIsRefusedWithThePluginsText() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> ch.exchangeDeclare("dx.untyped", "x-delayed-message"))
                    .hasRootCauseInstanceOf(ShutdownSignalException.class)
                    .rootCause().hasMessageContaining("406")
                    .hasMessageContaining("Invalid argument, 'x-delayed-type' must be an existing exchange type");
        }
    }

    @Test
    void messagesArriveInDueTimeOrderAndNeverEarly() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            declareDelayed(ch, "dx.order", "direct");
            ch.queueDeclare("dx.order.q", false, false, false, null);
            ch.queueBind("dx.order.q", "dx.order", "k");
            BlockingQueue<Object[]> got = consume(c.createChannel(), "dx.order.q");
            ch.confirmSelect();
            long start = System.nanoTime();
            long[] delays = {900, 300, 600};
            String[] bodies = {"third", "first", "second"};
            for (int i = 0; i < delays.length; i++) {
                ch.basicPublish("dx.order", "k", delay(delays[i]), bodies[i].getBytes(StandardCharsets.UTF_8));
            }
            ch.basicPublish("dx.order", "k", null, "now".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Object[] d = next(got);
                order.add((String) d[0]);
                long waitedMs = TimeUnit.NANOSECONDS.toMillis((Long) d[1] - start);
                long asked = switch ((String) d[0]) {
                    case "first" -> 300;
                    case "second" -> 600;
                    case "third" -> 900;
                    default -> 0;
                };
                assertThat(waitedMs).as("%s arrived after its delay", d[0]).isGreaterThanOrEqualTo(asked);
            }
            assertThat(order).containsExactly("now", "first", "second", "third");
        }
    }

    @Test
    void topicRoutingIsDecidedAtDueTimeWithTheBindingsOfThatMoment() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            declareDelayed(ch, "dx.topic", "topic");
            ch.queueDeclare("dx.topic.q", false, false, false, null);
            ch.basicPublish("dx.topic", "sensor.kitchen.temp", delay(700), "late".getBytes(StandardCharsets.UTF_8));
            // Bound after the publish: the plugin routes when the delay is up, so the message still arrives.
            ch.queueBind("dx.topic.q", "dx.topic", "sensor.*.temp");
            ch.queueBind("dx.topic.q", "dx.topic", "nothing.#");
            BlockingQueue<Object[]> got = consume(c.createChannel(), "dx.topic.q");
            Object[] d = next(got);
            assertThat(d[0]).isEqualTo("late");
            AMQP.BasicProperties props = (AMQP.BasicProperties) d[2];
            assertThat(((Number) props.getHeaders().get("x-delay")).longValue())
                    .as("a released message carries its delay negated, so it is not held again").isEqualTo(-700);
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).as("one copy only").isNull();
        }
    }

    @Test
    void managementApiShowsHowManyArePending() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            declareDelayed(ch, "dx.pending", "fanout");
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("dx.pending", "", delay(600_000), new byte[] {1});
            }
            ch.waitForConfirmsOrDie(10_000);
            JsonNode x = JSON.readTree(broker.get("/api/exchanges/%2F/dx.pending", "admin").body());
            assertThat(x.path("type").asText()).isEqualTo("x-delayed-message");
            assertThat(x.path("delayed_pending").asLong()).isEqualTo(3);
            assertThat(x.path("arguments").path("x-delayed-type").asText()).isEqualTo("fanout");
        }
    }

    @Test
    void heldPersistentMessagesAndTheirCountSurviveARestart() throws Exception {
        Path dir = Files.createTempDirectory("junction-delayed");
        ManagementBroker first = ManagementBroker.startIn(dir);
        try (Connection c = connectTo(first)) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("dx.restart", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
            ch.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .headers(Map.of("x-delay", 600_000)).build();
            ch.basicPublish("dx.restart", "k", persistent, new byte[] {1});
            ch.basicPublish("dx.restart", "k", persistent, new byte[] {2});
            ch.basicPublish("dx.restart", "k", delay(600_000), new byte[] {3}); // transient: not kept
            ch.waitForConfirmsOrDie(10_000);
        } finally {
            first.stop();
        }
        try (ManagementBroker second = ManagementBroker.startIn(dir)) {
            JsonNode x = JSON.readTree(second.get("/api/exchanges/%2F/dx.restart", "admin").body());
            assertThat(x.path("delayed_pending").asLong()).isEqualTo(2);
        }
    }

    private static Connection connectTo(ManagementBroker b) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(b.port("amqp"));
        f.setUsername("admin");
        f.setPassword("pw");
        return f.newConnection();
    }
}
