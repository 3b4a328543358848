package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lag metrics (issue 13, item 9) on the API and on {@code /metrics}: the age of a queue's oldest ready message
 * ({@code head_message_timestamp}, {@code oldest_ready_age_seconds}, {@code junction_queue_oldest_ready_age_seconds})
 * and RabbitMQ's {@code consumer_utilisation}. Values that depend on time are polled until they show.
 */
class QueueLagTest {
    /** The dashboard shipped in docs/; the tests run in the conformance-tests module's directory. */
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "junction.json");
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.port("amqp"));
        f.setUsername("admin");
        f.setPassword("pw");
        return f;
    }

    private static JsonNode await(String path, java.util.function.Predicate<JsonNode> ok) throws Exception {
        return broker.poll(path, "admin", ok);
    }

    /** The value of the sample {@code name{...queue="q"...}} in the Prometheus text, or NaN when absent. */
    static double metric(String name, String queue) throws Exception {
        for (String line : broker.get("/metrics", null).body().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("queue=\"" + queue + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    @Test
    void oldestReadyMessageAgeGrowsWhileItWaitsAndIsGoneOnceConsumed() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        try (Connection c = factory().newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("lag.q", false, false, false, null);
            for (int i = 0; i < 5; i++) {
                ch.basicPublish("", "lag.q", null, new byte[] {(byte) i});
            }
            JsonNode q = await("/api/queues/%2F/lag.q", o -> o.path("oldest_ready_age_seconds").asDouble() >= 1.0);
            assertThat(q.get("head_message_timestamp").asLong()).isBetween(before - 1,
                    System.currentTimeMillis() / 1000);
            assertThat(q.get("consumer_utilisation").isNull()).as("no consumer, no utilisation").isTrue();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(metric("junction_queue_oldest_ready_age_seconds", "lag.q") >= 1.0)) {
                assertThat(System.nanoTime()).as("the gauge on /metrics").isLessThan(deadline);
                Thread.sleep(200);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(ch.basicGet("lag.q", true)).isNotNull();
            }
            q = await("/api/queues/%2F/lag.q", o -> o.path("messages_ready").asInt() == 0);
            assertThat(q.get("oldest_ready_age_seconds").asDouble()).isZero();
            assertThat(q.get("head_message_timestamp").isNull()).isTrue();
            assertThat(metric("junction_queue_oldest_ready_age_seconds", "lag.q")).isZero();
        }
    }

    @Test
    void consumerUtilisationIsOneForAConsumerThatKeepsUpAndFallsForOneStuckOnItsPrefetch() throws Exception {
        try (Connection c = factory().newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("util.idle", false, false, false, null);
            ch.basicConsume("util.idle", true, new DefaultConsumer(ch));
            JsonNode idle = await("/api/queues/%2F/util.idle", o -> o.path("consumer_utilisation").isNumber());
            assertThat(idle.get("consumer_utilisation").asDouble()).isEqualTo(1.0);

            ch.queueDeclare("util.stuck", false, false, false, null);
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", "util.stuck", null, new byte[] {1});
            }
            Channel stuck = c.createChannel();
            stuck.basicQos(1);
            stuck.basicConsume("util.stuck", false, new DefaultConsumer(stuck) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    // Never acknowledged: the prefetch of 1 holds the other nine back.
                }
            });
            JsonNode busy = await("/api/queues/%2F/util.stuck",
                    o -> o.path("consumer_utilisation").isNumber() && o.get("consumer_utilisation").asDouble() < 0.5);
            assertThat(busy.get("messages_ready").asInt()).isEqualTo(9);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(metric("junction_queue_consumer_utilisation", "util.stuck") < 0.5)) {
                assertThat(System.nanoTime()).as("the gauge on /metrics").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    @Test
    void grafanaDashboardUsesOnlyMetricsTheBrokerExports() throws Exception {
        try (Connection c = factory().newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("lag.dlq", false, false, false, null);
            ch.queueDeclare("lag.expiring", false, false, false,
                    Map.of("x-message-ttl", 0, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "lag.dlq"));
            ch.basicPublish("", "lag.expiring", null, new byte[] {1});
            await("/api/queues/%2F/lag.dlq", o -> o.path("messages").asInt() == 1);
        }
        // The dead letter on the API too, by RabbitMQ's reason (Junction's own field).
        JsonNode vhost = await("/api/vhosts/%2F", o -> o.path("dead_lettered").path("expired").asLong() >= 1);
        assertThat(vhost.get("dead_lettered").has("rejected")).isTrue();
        assertThat(vhost.get("dead_lettered").has("maxlen")).isTrue();
        assertThat(await("/api/overview", o -> o.path("dead_lettered").path("expired").asLong() >= 1)
                .get("dead_lettered").get("expired").asLong()).isGreaterThanOrEqualTo(1);
        // Every series the dashboard queries, in its panels and its variables, is on /metrics now (a dead letter,
        // an expiry and a queue exist, so the counters created on first use are there too).
        String metrics = broker.get("/metrics", null).body();
        java.util.Set<String> exported = new java.util.HashSet<>();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
        String dashboard = Files.readString(DASHBOARD);
        JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard);
        assertThat(parsed.get("panels")).isNotEmpty();
        Matcher m = Pattern.compile("\\bjunction_[a-z0-9_]+").matcher(dashboard);
        java.util.Set<String> used = new java.util.TreeSet<>();
        while (m.find()) {
            used.add(m.group());
        }
        assertThat(used).contains("junction_queue_oldest_ready_age_seconds", "junction_queue_consumer_utilisation",
                "junction_messages_dead_lettered_total");
        assertThat(exported).as("metrics on /metrics").containsAll(used);
    }
}
