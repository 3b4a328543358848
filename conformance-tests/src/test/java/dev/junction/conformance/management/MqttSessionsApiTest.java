package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT view of the management API (RabbitMQ has none; see docs/management.md): sessions with their
 * subscriptions, and an administrator's delete, which ends the session like deleting its queue does
 * ([MQTT-3.14.2-1] a server may send DISCONNECT; MQTT 5 reason 0x98 Administrative action).
 */
class MqttSessionsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    @Test
    void sessionIsListedWithItsSubscriptionAndAnAdministratorDeleteDisconnectsIt() throws Exception {
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("api-sess")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt"))
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildBlocking();
        c.connectWith().cleanStart(false).sessionExpiryInterval(600)
                .simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        c.subscribeWith().topicFilter("sensors/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();

        JsonNode sessions = JSON.readTree(broker.get("/api/mqtt/sessions", "monitor").body());
        JsonNode s = null;
        for (JsonNode n : sessions) {
            if (n.get("client_id").asText().equals("api-sess")) {
                s = n;
            }
        }
        assertThat(s).as("session api-sess in %s", sessions).isNotNull();
        assertThat(s.get("connected").asBoolean()).isTrue();
        assertThat(s.get("persistent").asBoolean()).isTrue();
        assertThat(s.get("user").asText()).isEqualTo("admin");
        assertThat(s.get("subscriptions").get(0).get("filter").asText()).isEqualTo("sensors/+/temp");
        assertThat(s.get("subscriptions").get(0).get("qos").asInt()).isEqualTo(1);

        // A management user without rights in the session's vhost may not end it.
        assertThat(broker.call("DELETE", "/api/mqtt/sessions/%2F/api-sess", "manager", "pw", null).statusCode())
                .isEqualTo(401);
        assertThat(broker.call("DELETE", "/api/mqtt/sessions/%2F/api-sess", "admin", "pw", null).statusCode())
                .isEqualTo(204);
        Throwable cause = disconnected.get(30, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        // The client reads the DISCONNECT before the broker has closed the socket, and a connection stays listed
        // until its socket closed (ConnectionRegistry), so the session is gone within moments, not at once.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = broker.get("/api/mqtt/sessions/%2F/api-sess", "admin").statusCode();
        while (status != 404 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = broker.get("/api/mqtt/sessions/%2F/api-sess", "admin").statusCode();
        }
        assertThat(status).as("the deleted session is no longer listed").isEqualTo(404);
    }

    /**
     * A device that connected and never subscribed has no session queue (it costs none), yet the operator sees it:
     * connected, its protocol, expiry and will, nothing queued; deleting it ends the connection.
     */
    @Test
    void connectedClientWithoutSubscriptionIsListedAndCanBeDeleted() throws Exception {
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("api-idle")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt"))
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildBlocking();
        c.connectWith().cleanStart(true).sessionExpiryInterval(0)
                .willPublish().topic("devices/api-idle/status").payload("gone".getBytes(StandardCharsets.UTF_8))
                .applyWillPublish()
                .simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();

        JsonNode s = null;
        for (JsonNode n : JSON.readTree(broker.get("/api/mqtt/sessions", "monitor").body())) {
            if (n.get("client_id").asText().equals("api-idle")) {
                s = n;
            }
        }
        assertThat(s).as("queue-less session api-idle is listed").isNotNull();
        assertThat(s.get("connected").asBoolean()).isTrue();
        assertThat(s.get("persistent").asBoolean()).isFalse();
        assertThat(s.get("protocol").asText()).isEqualTo("MQTT 5");
        assertThat(s.get("will").asBoolean()).isTrue();
        assertThat(s.get("session_expiry_interval").asLong()).isZero();
        assertThat(s.get("messages_queued").asInt()).isZero();
        assertThat(s.get("subscriptions")).isEmpty();
        assertThat(broker.get("/api/mqtt/sessions/%2F/api-idle", "monitor").statusCode()).isEqualTo(200);

        assertThat(broker.call("DELETE", "/api/mqtt/sessions/%2F/api-idle", "admin", "pw", null).statusCode())
                .isEqualTo(204);
        Throwable cause = disconnected.get(30, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
    }
}
