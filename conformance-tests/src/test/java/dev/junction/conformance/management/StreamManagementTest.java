package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams in the management API as RabbitMQ shows them: {@code /api/queues} lists a stream declared by a stock
 * AMQP 0-9-1 client with {@code type: "stream"}, durable, its arguments and the number of messages its log retains;
 * {@code DELETE /api/queues/{vhost}/{name}} deletes it; {@code PUT} with {@code x-queue-type: stream} declares one;
 * the definitions export carries it.
 */
@Timeout(60)
class StreamManagementTest {
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.port("amqp"));
        f.setUsername("admin");
        f.setPassword("pw");
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection();
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        var r = broker.get(path, "admin");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        return null;
    }

    @Test
    void aStreamIsListedWithItsTypeArgumentsAndRetainedMessages() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            Map<String, Object> args = new HashMap<>();
            args.put("x-queue-type", "stream");
            args.put("x-max-age", "7D");
            ch.queueDeclare("mgmt.stream", true, false, false, args);
            ch.queueDeclare("mgmt.classic", true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "mgmt.stream", null, new byte[] {(byte) i});
            }
            ch.waitForConfirmsOrDie(10_000);

            JsonNode s = broker.poll("/api/queues/%2F/mgmt.stream", "admin", o -> o.path("messages").asInt() == 3);
            assertThat(s.get("type").asText()).isEqualTo("stream");
            assertThat(s.get("durable").asBoolean()).isTrue();
            assertThat(s.get("vhost").asText()).isEqualTo("/");
            assertThat(s.get("arguments").get("x-queue-type").asText()).isEqualTo("stream");
            assertThat(s.get("arguments").get("x-max-age").asText()).isEqualTo("7D");
            assertThat(s.get("consumers").asInt()).isZero();

            JsonNode all = get("/api/queues");
            assertThat(named(all, "mgmt.stream")).isNotNull();
            assertThat(named(all, "mgmt.stream").get("type").asText()).isEqualTo("stream");
            assertThat(named(all, "mgmt.classic").get("type").asText()).isEqualTo("classic");
            assertThat(named(get("/api/queues/%2F"), "mgmt.stream").get("messages").asInt()).isEqualTo(3);

            Channel consumer = c.createChannel();
            consumer.basicQos(10);
            consumer.basicConsume("mgmt.stream", false, Map.of("x-stream-offset", "first"),
                    (tag, d) -> consumer.basicAck(d.getEnvelope().getDeliveryTag(), false), tag -> { });
            broker.poll("/api/queues/%2F/mgmt.stream", "admin", o -> o.path("consumers").asInt() == 1);

            JsonNode exported = get("/api/definitions");
            JsonNode def = named(exported.get("queues"), "mgmt.stream");
            assertThat(def).isNotNull();
            assertThat(def.get("arguments").get("x-queue-type").asText()).isEqualTo("stream");
        }
    }

    @Test
    void deleteOnTheApiDeletesAStreamAndPutDeclaresOne() throws Exception {
        var put = broker.call("PUT", "/api/queues/%2F/mgmt.put.stream", "admin", "pw",
                "{\"durable\":true,\"arguments\":{\"x-queue-type\":\"stream\"}}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(get("/api/queues/%2F/mgmt.put.stream").get("type").asText()).isEqualTo("stream");
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            // a passive declare from a stock client finds the stream the API declared
            assertThat(ch.queueDeclarePassive("mgmt.put.stream").getMessageCount()).isZero();
        }

        var delete = broker.call("DELETE", "/api/queues/%2F/mgmt.put.stream", "admin", "pw", null);
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(204);
        assertThat(broker.get("/api/queues/%2F/mgmt.put.stream", "admin").statusCode()).isEqualTo(404);
        assertThat(named(get("/api/queues"), "mgmt.put.stream")).isNull();
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            // gone: a classic queue may now take the name
            ch.queueDeclare("mgmt.put.stream", true, false, false, null);
            ch.queueDelete("mgmt.put.stream");
        }
    }
}
