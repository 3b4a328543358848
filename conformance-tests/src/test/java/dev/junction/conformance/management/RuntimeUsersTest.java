package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Users, permissions, topic permissions and vhosts made over the management API are the broker's own: they log in
 * over AMQP 0-9-1 (PLAIN) and MQTT, their rights apply to the next operation of an open connection, they survive a
 * restart on the same store, and a deleted user or vhost is gone for every protocol (RabbitMQ's model: the
 * management API and {@code rabbitmqctl} edit the same user database the listeners ask).
 */
class RuntimeUsersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Connection amqp(ManagementBroker b, String user, String password, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(b.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection();
    }

    private static Mqtt5BlockingClient mqtt(ManagementBroker b, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(b.port("mqtt")).buildBlocking();
    }

    private static void connect(Mqtt5BlockingClient c, String user, String password) {
        c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }

    @Test
    void userCreatedOverTheApiLogsInOverAmqpAndMqttAndPermissionChangesApplyToTheOpenChannel() throws Exception {
        try (ManagementBroker b = ManagementBroker.start()) {
            assertThat(b.call("PUT", "/api/users/erin", "admin", "pw", "{\"password\":\"e-pw\",\"tags\":\"\"}")
                    .statusCode()).isEqualTo(201);
            // Without a permission in "/", connection.open is refused, as in RabbitMQ.
            assertThatThrownBy(() -> amqp(b, "erin", "e-pw", "/").close()).isInstanceOf(IOException.class);
            assertThat(b.call("PUT", "/api/permissions/%2F/erin", "admin", "pw",
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").statusCode()).isEqualTo(201);
            assertThatThrownBy(() -> amqp(b, "erin", "wrong", "/").close())
                    .isInstanceOf(AuthenticationFailureException.class);

            try (Connection c = amqp(b, "erin", "e-pw", "/")) {
                Channel ch = c.createChannel();
                ch.queueDeclare("erin.q1", false, false, true, null);
                // configure narrowed over the API: the next declare on the same open channel is refused (403).
                assertThat(b.call("PUT", "/api/permissions/%2F/erin", "admin", "pw",
                        "{\"configure\":\"^erin\\\\.only\",\"write\":\".*\",\"read\":\".*\"}").statusCode())
                        .isEqualTo(204);
                assertThatThrownBy(() -> ch.queueDeclare("erin.q2", false, false, true, null))
                        .isInstanceOf(IOException.class).hasStackTraceContaining("reply-code=403");
            }

            Mqtt5BlockingClient m = mqtt(b, "erin-device");
            connect(m, "erin", "e-pw");
            m.publishWith().topic("erin/hello").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
            m.disconnect();
            assertThatThrownBy(() -> connect(mqtt(b, "erin-bad"), "erin", "wrong"))
                    .isInstanceOf(Mqtt5ConnAckException.class);
        }
    }

    @Test
    void topicPermissionSetOverTheApiRestrictsAnOpenConnectionsNextPublish() throws Exception {
        try (ManagementBroker b = ManagementBroker.start()) {
            b.call("PUT", "/api/users/tina", "admin", "pw", "{\"password\":\"t-pw\",\"tags\":\"\"}");
            b.call("PUT", "/api/permissions/%2F/tina", "admin", "pw",
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            try (Connection c = amqp(b, "tina", "t-pw", "/")) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                ch.basicPublish("amq.topic", "denied.key", null, new byte[] {1});
                ch.waitForConfirmsOrDie(5_000);
                assertThat(b.call("PUT", "/api/topic-permissions/%2F/tina", "admin", "pw",
                        "{\"exchange\":\"amq.topic\",\"write\":\"^allowed\\\\.\",\"read\":\".*\"}").statusCode())
                        .isEqualTo(201);
                ch.basicPublish("amq.topic", "allowed.key", null, new byte[] {1});
                ch.waitForConfirmsOrDie(5_000);
                ch.basicPublish("amq.topic", "denied.key", null, new byte[] {1});
                assertThatThrownBy(() -> ch.waitForConfirmsOrDie(5_000)).hasStackTraceContaining("reply-code=403");
            }
        }
    }

    @Test
    void apiUserSurvivesARestartOnTheSameStoreAndAfterDeleteCannotLogInAnyMore() throws Exception {
        try (ManagementBroker first = ManagementBroker.start()) {
            first.call("PUT", "/api/users/rita", "admin", "pw", "{\"password\":\"r-pw\",\"tags\":\"\"}");
            first.call("PUT", "/api/permissions/%2F/rita", "admin", "pw",
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            first.stop();
            // Not closed but stopped: closing would delete the store the third start reads.
            ManagementBroker again = ManagementBroker.startIn(first.dir());
            try {
                amqp(again, "rita", "r-pw", "/").close();
                Mqtt5BlockingClient m = mqtt(again, "rita-device");
                connect(m, "rita", "r-pw");
                m.disconnect();

                assertThat(again.call("DELETE", "/api/users/rita", "admin", "pw", null).statusCode()).isEqualTo(204);
                assertThatThrownBy(() -> amqp(again, "rita", "r-pw", "/").close())
                        .isInstanceOf(AuthenticationFailureException.class);
                assertThatThrownBy(() -> connect(mqtt(again, "rita-device2"), "rita", "r-pw"))
                        .isInstanceOf(Mqtt5ConnAckException.class);
            } finally {
                again.stop();
            }
            try (ManagementBroker third = ManagementBroker.startIn(first.dir())) {
                assertThat(third.get("/api/users/rita", "admin").statusCode()).isEqualTo(404);
                assertThatThrownBy(() -> amqp(third, "rita", "r-pw", "/").close())
                        .isInstanceOf(AuthenticationFailureException.class);
            }
        }
    }

    @Test
    void vhostDeleteRemovesItsQueuesExchangesBindingsAndPermissionsAndStaysDeletedAfterARestart()
            throws Exception {
        try (ManagementBroker b = ManagementBroker.start()) {
            assertThat(b.call("PUT", "/api/vhosts/doomed", "admin", "pw", null).statusCode()).isEqualTo(201);
            b.call("PUT", "/api/permissions/doomed/admin", "admin", "pw",
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            try (Connection c = amqp(b, "admin", "pw", "doomed")) {
                Channel ch = c.createChannel();
                ch.exchangeDeclare("d.x", "direct", true);
                ch.queueDeclare("d.q", true, false, false, null);
                ch.queueBind("d.q", "d.x", "k");
                ch.basicPublish("d.x", "k", null, new byte[] {1});
            }
            assertThat(b.get("/api/queues/doomed/d.q", "admin").statusCode()).isEqualTo(200);

            assertThat(b.call("DELETE", "/api/vhosts/doomed", "admin", "pw", null).statusCode()).isEqualTo(204);
            assertThat(b.get("/api/vhosts/doomed", "admin").statusCode()).isEqualTo(404);
            assertThat(b.get("/api/queues/doomed", "admin").statusCode()).isEqualTo(404);
            JsonNode perms = JSON.readTree(b.get("/api/permissions", "admin").body());
            perms.forEach(p -> assertThat(p.get("vhost").asText()).isNotEqualTo("doomed"));
            assertThatThrownBy(() -> amqp(b, "admin", "pw", "doomed").close()).isInstanceOf(IOException.class);
            // Only administrators delete vhosts; the MQTT adapter's vhost is refused while MQTT serves it.
            assertThat(b.call("DELETE", "/api/vhosts/restricted", "monitor", "pw", null).statusCode())
                    .isEqualTo(401);
            assertThat(b.call("DELETE", "/api/vhosts/%2F", "admin", "pw", null).statusCode()).isEqualTo(400);

            b.stop();
            try (ManagementBroker again = ManagementBroker.startIn(b.dir())) {
                assertThat(again.get("/api/vhosts/doomed", "admin").statusCode()).isEqualTo(404);
                // Created again, it starts empty.
                again.call("PUT", "/api/vhosts/doomed", "admin", "pw", null);
                again.call("PUT", "/api/permissions/doomed/admin", "admin", "pw",
                        "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
                assertThat(again.get("/api/queues/doomed/d.q", "admin").statusCode()).isEqualTo(404);
                assertThat(again.get("/api/exchanges/doomed/d.x", "admin").statusCode()).isEqualTo(404);
            }
        }
    }
}
