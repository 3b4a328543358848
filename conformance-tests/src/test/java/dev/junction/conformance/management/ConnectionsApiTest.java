package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /api/connections}, {@code /api/channels}, {@code /api/consumers} and {@code DELETE /api/connections/{name}}
 * with stock clients of both protocols: RabbitMQ's JSON fields, its visibility rules by tag (monitoring sees every
 * connection, management only its own) and its close, which AMQP clients hear as connection.close 320
 * CONNECTION_FORCED with the {@code X-Reason} text and MQTT 5 clients as DISCONNECT 0x98 Administrative action
 * [MQTT-4.13.1-1].
 */
class ConnectionsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    static ConnectionFactory amqp(ManagementBroker b, String user, String vhost, String name) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(b.port("amqp"));
        f.setUsername(user);
        f.setPassword("pw");
        f.setVirtualHost(vhost);
        f.setAutomaticRecoveryEnabled(false); // a closed connection must stay closed for the assertions
        f.getClientProperties().put("connection_name", name);
        return f;
    }

    static Mqtt5BlockingClient mqtt5(ManagementBroker b, String id, CompletableFuture<Throwable> disconnected) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(b.port("mqtt")).addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
                .buildBlocking();
        c.connectWith().simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        return c;
    }

    /** RabbitMQ's connection name of an AMQP client connection, as the API addresses it. */
    static String nameOf(ManagementBroker b, Connection c) {
        return "127.0.0.1:" + localPort(c) + " -> 127.0.0.1:" + b.port("amqp");
    }

    /** The client's own port (a connection without automatic recovery is the client's AMQConnection). */
    static int localPort(Connection c) {
        return ((com.rabbitmq.client.impl.AMQConnection) c).getLocalPort();
    }

    static String path(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The first element of the list at {@code path} (as {@code user}) that {@code which} selects, waiting for it. */
    static JsonNode await(ManagementBroker b, String path, String user, Predicate<JsonNode> which) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = JSON.readTree(b.get(path, user).body());
            for (JsonNode n : list) {
                if (which.test(n)) {
                    return n;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing selected in " + path + ": " + list);
    }

    static CompletableFuture<ShutdownSignalException> closed(Connection c) {
        CompletableFuture<ShutdownSignalException> f = new CompletableFuture<>();
        c.addShutdownListener(f::complete);
        return f;
    }

    @Test
    void listsConnectionsOfBothProtocolsWithTheirChannelsAndConsumers() throws Exception {
        CompletableFuture<Throwable> gone = new CompletableFuture<>();
        Mqtt5BlockingClient v5 = mqtt5(broker, "conn-api-v5", gone);
        Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier("conn-api-v3")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
        v3.connectWith().keepAlive(30).simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        try (Connection c = amqp(broker, "admin", "/", "lister").newConnection()) {
            Channel ch = c.createChannel();
            ch.basicQos(5);
            ch.queueDeclare("conn.api.q", false, false, true, null);
            String tag = ch.basicConsume("conn.api.q", false, new DefaultConsumer(ch));
            String name = nameOf(broker, c);

            JsonNode a = await(broker, "/api/connections", "monitor", n -> n.get("name").asText().equals(name));
            assertThat(a.get("protocol").asText()).isEqualTo("AMQP 0-9-1");
            assertThat(a.get("user").asText()).isEqualTo("admin");
            assertThat(a.get("vhost").asText()).isEqualTo("/");
            assertThat(a.get("peer_host").asText()).isEqualTo("127.0.0.1");
            assertThat(a.get("peer_port").asInt()).isEqualTo(localPort(c));
            assertThat(a.get("port").asInt()).isEqualTo(broker.port("amqp"));
            assertThat(a.get("ssl").asBoolean()).isFalse();
            assertThat(a.get("channels").asInt()).isEqualTo(1);
            assertThat(a.get("connected_at").asLong()).isPositive();
            assertThat(a.get("client_properties").get("connection_name").asText()).isEqualTo("lister");

            JsonNode m5 = await(broker, "/api/connections", "admin", n -> n.path("client_id").asText()
                    .equals("conn-api-v5"));
            assertThat(m5.get("protocol").asText()).isEqualTo("MQTT 5");
            assertThat(m5.get("user").asText()).isEqualTo("admin");
            assertThat(m5.get("client_properties").get("client_id").asText()).isEqualTo("conn-api-v5");
            JsonNode m3 = await(broker, "/api/vhosts/%2F/connections", "admin", n -> n.path("client_id").asText()
                    .equals("conn-api-v3"));
            assertThat(m3.get("protocol").asText()).isEqualTo("MQTT 3.1.1");
            assertThat(m3.get("timeout").asInt()).isEqualTo(30);

            var one = broker.get("/api/connections/" + path(name), "admin");
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(one.body()).get("name").asText()).isEqualTo(name);
            assertThat(broker.get("/api/connections/" + path("127.0.0.1:1 -> 127.0.0.1:1"), "admin").statusCode())
                    .isEqualTo(404);

            JsonNode chan = await(broker, "/api/channels", "monitor", n -> n.get("connection_details").get("name")
                    .asText().equals(name));
            assertThat(chan.get("name").asText()).isEqualTo(name + " (1)");
            assertThat(chan.get("number").asInt()).isEqualTo(1);
            assertThat(chan.get("consumer_count").asInt()).isEqualTo(1);
            assertThat(chan.get("prefetch_count").asInt()).isEqualTo(5);
            assertThat(chan.get("messages_unacknowledged").asInt()).isZero();

            JsonNode consumer = await(broker, "/api/consumers/%2F", "monitor", n -> n.get("consumer_tag").asText()
                    .equals(tag));
            assertThat(consumer.get("queue").get("name").asText()).isEqualTo("conn.api.q");
            assertThat(consumer.get("ack_required").asBoolean()).isTrue();
            assertThat(consumer.get("prefetch_count").asInt()).isEqualTo(5);
            assertThat(consumer.get("channel_details").get("connection_name").asText()).isEqualTo(name);
            assertThat(consumer.get("channel_details").get("number").asInt()).isEqualTo(1);
        } finally {
            v5.disconnect();
            v3.disconnect();
        }
    }

    @Test
    void anAdministratorClosesAnAmqpConnectionWithTheReason() throws Exception {
        Connection c = amqp(broker, "admin", "/", "to-close").newConnection();
        CompletableFuture<ShutdownSignalException> closed = closed(c);
        String name = nameOf(broker, c);
        await(broker, "/api/connections", "admin", n -> n.get("name").asText().equals(name));

        var deleted = broker.call("DELETE", "/api/connections/" + path(name), "admin", "pw", null, "maintenance window");
        assertThat(deleted.statusCode()).isEqualTo(204);
        ShutdownSignalException why = closed.get(30, TimeUnit.SECONDS);
        assertThat(why.isInitiatedByApplication()).isFalse();
        AMQP.Connection.Close close = (AMQP.Connection.Close) why.getReason();
        assertThat(close.getReplyCode()).isEqualTo(320);
        assertThat(close.getReplyText()).isEqualTo("CONNECTION_FORCED - maintenance window");
        awaitGone(name);
        assertThat(broker.call("DELETE", "/api/connections/" + path(name), "admin", "pw", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void anAdministratorClosesMqttConnections() throws Exception {
        CompletableFuture<Throwable> v5gone = new CompletableFuture<>();
        mqtt5(broker, "conn-api-kick5", v5gone);
        JsonNode v5 = await(broker, "/api/connections", "admin", n -> n.path("client_id").asText()
                .equals("conn-api-kick5"));
        assertThat(broker.call("DELETE", "/api/connections/" + path(v5.get("name").asText()), "admin", "pw", null,
                "kicked").statusCode()).isEqualTo(204);
        Throwable cause = v5gone.get(30, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        var disconnect = ((Mqtt5DisconnectException) cause).getMqttMessage();
        assertThat(disconnect.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        assertThat(disconnect.getReasonString().map(Object::toString)).contains("kicked");

        // MQTT 3.1.1 has no DISCONNECT from the server: the socket closes.
        CompletableFuture<Throwable> v3gone = new CompletableFuture<>();
        Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier("conn-api-kick3")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt"))
                .addDisconnectedListener(ctx -> v3gone.complete(ctx.getCause())).buildBlocking();
        v3.connectWith().simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        JsonNode v3info = await(broker, "/api/connections", "admin", n -> n.path("client_id").asText()
                .equals("conn-api-kick3"));
        assertThat(broker.call("DELETE", "/api/connections/" + path(v3info.get("name").asText()), "admin", "pw",
                null).statusCode()).isEqualTo(204);
        assertThat(v3gone.get(30, TimeUnit.SECONDS)).isNotNull();
        awaitGone(v3info.get("name").asText());
    }

    @Test
    void aManagementUserSeesAndClosesOnlyItsOwnConnections() throws Exception {
        Connection mine = amqp(broker, "manager", "restricted", "mine").newConnection();
        Connection other = amqp(broker, "admin", "/", "other").newConnection();
        try {
            String mineName = nameOf(broker, mine);
            String otherName = nameOf(broker, other);
            await(broker, "/api/connections", "monitor", n -> n.get("name").asText().equals(otherName));
            JsonNode seen = JSON.readTree(broker.get("/api/connections", "manager").body());
            assertThat(seen).isNotEmpty();
            seen.forEach(n -> assertThat(n.get("user").asText()).isEqualTo("manager"));
            assertThat(seen.findValuesAsText("name")).contains(mineName).doesNotContain(otherName);
            assertThat(JSON.readTree(broker.get("/api/vhosts/restricted/connections", "manager").body())
                    .findValuesAsText("name")).containsExactly(mineName);
            assertThat(broker.get("/api/vhosts/%2F/connections", "manager").statusCode()).isEqualTo(401);
            assertThat(broker.get("/api/connections/" + path(otherName), "manager").statusCode()).isEqualTo(401);
            assertThat(broker.call("DELETE", "/api/connections/" + path(otherName), "manager", "pw", null)
                    .statusCode()).isEqualTo(401);
            assertThat(other.isOpen()).isTrue();
            assertThat(broker.get("/api/connections", "plain").statusCode()).isEqualTo(401);

            CompletableFuture<ShutdownSignalException> closed = closed(mine);
            assertThat(broker.call("DELETE", "/api/connections/" + path(mineName), "manager", "pw", null)
                    .statusCode()).isEqualTo(204);
            AMQP.Connection.Close close = (AMQP.Connection.Close) closed.get(30, TimeUnit.SECONDS).getReason();
            assertThat(close.getReplyText()).isEqualTo("CONNECTION_FORCED - Closed via management plugin");
        } finally {
            mine.abort();
            other.abort();
        }
    }

    private static void awaitGone(String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (broker.get("/api/connections/" + path(name), "admin").statusCode() != 404) {
            assertThat(System.nanoTime()).as("%s still listed", name).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
