package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code message_stats} as RabbitMQ's management API shapes them (RabbitMQ docs, "HTTP API Reference" and
 * "Management Plugin" → "Message rates"): on queues, exchanges, vhosts and the overview, each count with a
 * {@code <name>_details.rate}; and the queue lag fields. Traffic comes from a stock AMQP client; a rate is sampled
 * every 5 s, so each check polls until the value shows, with a generous timeout, and asserts no timing.
 */
class MessageRatesApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static JsonNode get(String path) throws Exception {
        return JSON.readTree(broker.get(path, "admin").body());
    }

    /** Polls {@code path} as the administrator until {@code ok} holds; returns the last answer. */
    static JsonNode await(String path, Predicate<JsonNode> ok) throws Exception {
        return broker.poll(path, "admin", ok);
    }

    private static double rate(JsonNode o, String field) {
        JsonNode stats = o.path("message_stats");
        return stats.path(field + "_details").path("rate").asDouble(0);
    }

    private static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.port("amqp"));
        f.setUsername("admin");
        f.setPassword("pw");
        return f;
    }

    @Test
    void queueExchangeVhostAndOverviewShowCountsAndRatesWhileTrafficFlows() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        try (Connection c = factory().newConnection()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("rates.x", "direct");
            ch.queueDeclare("rates.q", false, false, false, null);
            ch.queueBind("rates.q", "rates.x", "k");
            ch.confirmSelect();
            Channel consumer = c.createChannel();
            consumer.basicQos(10);
            consumer.basicConsume("rates.q", false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                        throws java.io.IOException {
                    // Every other delivery is requeued once, so redeliveries are counted too.
                    if (!env.isRedeliver() && env.getDeliveryTag() % 2 == 0) {
                        getChannel().basicReject(env.getDeliveryTag(), true);
                    } else {
                        getChannel().basicAck(env.getDeliveryTag(), false);
                    }
                }
            });
            Thread traffic = new Thread(() -> {
                try {
                    while (running.get()) {
                        for (int i = 0; i < 20; i++) {
                            ch.basicPublish("rates.x", "k", null, "m".getBytes(StandardCharsets.UTF_8));
                        }
                        ch.waitForConfirmsOrDie(10_000);
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    running.set(false);
                }
            });
            traffic.start();
            try {
                JsonNode q = await("/api/queues/%2F/rates.q", o -> rate(o, "publish") > 0
                        && rate(o, "deliver_get") > 0 && rate(o, "ack") > 0 && rate(o, "redeliver") > 0);
                JsonNode stats = q.get("message_stats");
                assertThat(stats.get("publish").asLong()).isPositive();
                assertThat(stats.get("deliver").asLong()).isPositive();
                assertThat(stats.get("deliver_get").asLong()).isGreaterThanOrEqualTo(stats.get("deliver").asLong());
                assertThat(stats.get("ack").asLong()).isPositive();
                assertThat(stats.get("redeliver").asLong()).isPositive();
                assertThat(stats.get("deliver_no_ack").asLong()).isZero();
                for (String f : new String[] {"get", "get_no_ack", "deliver_no_ack"}) {
                    assertThat(stats.get(f + "_details").has("rate")).as(f).isTrue();
                }

                JsonNode x = await("/api/exchanges/%2F/rates.x",
                        o -> rate(o, "publish_in") > 0 && rate(o, "publish_out") > 0);
                assertThat(x.get("message_stats").get("publish_in").asLong()).isPositive();

                JsonNode v = await("/api/vhosts/%2F", o -> rate(o, "publish") > 0 && rate(o, "confirm") > 0
                        && rate(o, "deliver_get") > 0 && rate(o, "ack") > 0);
                assertThat(v.get("message_stats").get("confirm").asLong()).isPositive();

                JsonNode overview = await("/api/overview", o -> rate(o, "publish") > 0 && rate(o, "deliver_get") > 0
                        && rate(o, "ack") > 0);
                assertThat(overview.get("message_stats").get("publish").asLong()).isPositive();
            } finally {
                running.set(false);
                traffic.join();
            }
        }
        // Once traffic stops, the next windows see none of it: rates fall back to 0, the counts stay.
        JsonNode idle = await("/api/queues/%2F/rates.q", o -> rate(o, "publish") == 0 && rate(o, "ack") == 0);
        assertThat(idle.get("message_stats").get("publish").asLong()).isPositive();
    }

    @Test
    void getsAreCountedApartFromDeliveries() throws Exception {
        try (Connection c = factory().newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("rates.get", false, false, false, null);
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "rates.get", null, new byte[] {1});
            }
            ch.basicGet("rates.get", true);
            var response = ch.basicGet("rates.get", false);
            ch.basicAck(response.getEnvelope().getDeliveryTag(), false);
            JsonNode q = await("/api/queues/%2F/rates.get", o -> o.path("message_stats").path("ack").asLong() == 1);
            JsonNode stats = q.get("message_stats");
            assertThat(stats.get("get_no_ack").asLong()).isEqualTo(1);
            assertThat(stats.get("get").asLong()).isEqualTo(1);
            assertThat(stats.get("deliver_get").asLong()).isEqualTo(2);
            assertThat(stats.get("publish").asLong()).isEqualTo(3);
        }
    }

    @Test
    void listsCarryMessageStatsForEveryQueueAndExchange() throws Exception {
        try (Connection c = factory().newConnection()) {
            c.createChannel().queueDeclare("rates.listed", false, false, false, null);
        }
        for (JsonNode q : get("/api/queues")) {
            assertThat(q.get("message_stats").has("publish_details")).as(q.get("name").asText()).isTrue();
        }
        for (JsonNode x : get("/api/exchanges/%2F")) {
            assertThat(x.get("message_stats").has("publish_in_details")).as(x.get("name").asText()).isTrue();
        }
        JsonNode columns = get("/api/queues/%2F?columns=name,message_stats.publish_details.rate");
        assertThat(columns.get(0).get("message_stats").get("publish_details").has("rate")).isTrue();
    }
}
