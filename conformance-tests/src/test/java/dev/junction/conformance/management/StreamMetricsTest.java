package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stream's numbers on the management API and on {@code /metrics}: RabbitMQ 3.10 lists a stream's
 * {@code message_stats} (publish, deliver, ack, with rates) like a classic queue's; Junction adds its log's bytes and
 * segments on disk and its first and last offset, on the API and as per-stream Prometheus series beside the queue
 * series a stream shares with classic queues. And the two queue verbs of the API a stream refuses, with RabbitMQ
 * 3.10.8's answers: {@code POST .../get} and {@code DELETE .../contents} are 400.
 */
@Timeout(90)
class StreamMetricsTest {
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    /** The value of the sample {@code name{...queue="q"...}} on {@code /metrics}, or NaN when absent. */
    private static double metric(String name, String queue) throws Exception {
        for (String line : broker.get("/metrics", null).body().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("queue=\"" + queue + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static void declareStream(Channel ch, String name) throws Exception {
        ch.queueDeclare(name, true, false, false, Map.of("x-queue-type", "stream",
                "x-stream-max-segment-size-bytes", 5_000));
    }

    @Test
    void aStreamShowsItsMessageStatsAndItsLogOnTheApiAndOnMetrics() throws Exception {
        try (Connection c = broker.adminAmqp()) {
            Channel ch = c.createChannel();
            declareStream(ch, "metrics.stream");
            ch.confirmSelect();
            for (int i = 0; i < 50; i++) {
                ch.basicPublish("", "metrics.stream", null, new byte[100]);
            }
            ch.waitForConfirmsOrDie(10_000);
            Channel consumer = c.createChannel();
            consumer.basicQos(10);
            CountDownLatch twenty = new CountDownLatch(20);
            consumer.basicConsume("metrics.stream", false, Map.of("x-stream-offset", "first"), (tag, d) -> {
                if (twenty.getCount() > 0) {
                    consumer.basicAck(d.getEnvelope().getDeliveryTag(), false);
                    twenty.countDown();
                }
            }, tag -> { });
            assertThat(twenty.await(10, TimeUnit.SECONDS)).isTrue();

            // The 20 acked and the prefetch's worth delivered beyond them, unacknowledged.
            JsonNode s = broker.poll("/api/queues/%2F/metrics.stream", "admin",
                    o -> o.path("message_stats").path("ack").asLong() == 20
                            && o.path("message_stats").path("deliver").asLong() == 30);
            JsonNode stats = s.get("message_stats");
            assertThat(stats.get("publish").asLong()).isEqualTo(50);
            assertThat(stats.get("deliver_get").asLong()).isEqualTo(30);
            assertThat(stats.get("publish_details").has("rate")).isTrue();
            assertThat(stats.get("deliver_details").has("rate")).isTrue();
            assertThat(s.get("messages").asLong()).isEqualTo(50);
            assertThat(s.get("consumers").asInt()).isEqualTo(1);
            assertThat(s.get("stream_first_offset").asLong()).isZero();
            assertThat(s.get("stream_last_offset").asLong()).isEqualTo(49);
            assertThat(s.get("stream_segments").asInt()).as("5,000-byte segments").isGreaterThan(1);
            assertThat(s.get("stream_bytes").asLong()).isGreaterThan(50 * 100);
            // The listing shows the same stream with its message_stats.
            JsonNode listed = null;
            for (JsonNode q : new ObjectMapper().readTree(broker.get("/api/queues/%2F", "admin").body())) {
                listed = q.path("name").asText().equals("metrics.stream") ? q : listed;
            }
            assertThat(listed).isNotNull();
            assertThat(listed.get("message_stats").get("publish").asLong()).isEqualTo(50);

            assertThat(metric("junction_queue_messages", "metrics.stream")).isEqualTo(50);
            assertThat(metric("junction_queue_consumers", "metrics.stream")).isEqualTo(1);
            assertThat(metric("junction_queue_messages_published_total", "metrics.stream"))
                    .isEqualTo(50);
            assertThat(metric("junction_queue_messages_delivered_total", "metrics.stream"))
                    .isEqualTo(30);
            assertThat(metric("junction_queue_messages_acked_total", "metrics.stream")).isEqualTo(20);
            assertThat(metric("junction_stream_bytes", "metrics.stream"))
                    .isEqualTo(s.get("stream_bytes").asDouble());
            assertThat(metric("junction_stream_segments", "metrics.stream")).isGreaterThan(1);
            assertThat(metric("junction_stream_offset_first", "metrics.stream")).isZero();
            assertThat(metric("junction_stream_offset_last", "metrics.stream")).isEqualTo(49);

            ch.queueDelete("metrics.stream");
            assertThat(metric("junction_stream_bytes", "metrics.stream")).as("gone with the stream")
                    .isNaN();
        }
    }

    @Test
    void getAndPurgeOnTheApiAreRefusedAsRabbitMqRefusesThem() throws Exception {
        try (Connection c = broker.adminAmqp()) {
            declareStream(c.createChannel(), "metrics.get");
        }
        var get = broker.call("POST", "/api/queues/%2F/metrics.get/get", "admin", "pw",
                "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}");
        assertThat(get.statusCode()).isEqualTo(400);
        JsonNode body = new ObjectMapper().readTree(get.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_request");
        assertThat(body.get("reason").asText())
                .isEqualTo("540 basic.get not supported by stream queues queue 'metrics.get' in vhost '/'");

        var purge = broker.call("DELETE", "/api/queues/%2F/metrics.get/contents", "admin", "pw", null);
        assertThat(purge.statusCode()).isEqualTo(400);
        body = new ObjectMapper().readTree(purge.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_request");
        assertThat(body.get("reason").asText())
                .isEqualTo("queue.purge not supported by stream queues queue 'metrics.get' in vhost '/'");
    }
}
