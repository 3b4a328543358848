package dev.junction.conformance.management;

import static dev.junction.conformance.management.ConnectionsApiTest.amqp;
import static dev.junction.conformance.management.ConnectionsApiTest.closed;
import static dev.junction.conformance.management.ConnectionsApiTest.mqtt5;
import static dev.junction.conformance.management.ConnectionsApiTest.nameOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connections the broker ends on its own: when it stops (AMQP clients get connection.close 320 CONNECTION_FORCED,
 * MQTT 5 clients DISCONNECT 0x8B Server shutting down, before the sockets close) and when an administrator deletes
 * a user or revokes its permissions in a vhost (the user's affected connections close, others stay). Each test has
 * a broker of its own, since it stops it or changes its users.
 */
class ConnectionGoodbyeTest {

    @Test
    void shutdownSaysGoodbyeToAmqpAndMqtt5Clients() throws Exception {
        ManagementBroker b = ManagementBroker.start();
        Connection c;
        CompletableFuture<ShutdownSignalException> amqpClosed;
        CompletableFuture<Throwable> mqttGone = new CompletableFuture<>();
        try {
            c = amqp(b, "admin", "/", "goodbye").newConnection();
            amqpClosed = closed(c);
            mqtt5(b, "goodbye-v5", mqttGone);
            ConnectionsApiTest.await(b, "/api/connections", "admin", n -> n.path("client_id").asText()
                    .equals("goodbye-v5"));
        } finally {
            b.close();
        }
        ShutdownSignalException why = amqpClosed.get(30, TimeUnit.SECONDS);
        assertThat(why.getReason()).as("connection.close, not a dropped socket: %s", why)
                .isInstanceOf(AMQP.Connection.Close.class);
        AMQP.Connection.Close close = (AMQP.Connection.Close) why.getReason();
        assertThat(close.getReplyCode()).isEqualTo(320);
        assertThat(close.getReplyText()).contains("CONNECTION_FORCED", "shutdown");

        Throwable cause = mqttGone.get(30, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
    }

    @Test
    void deletingAUserOrRevokingItsPermissionClosesItsAffectedConnections() throws Exception {
        try (ManagementBroker b = ManagementBroker.start()) {
            Connection plain = amqp(b, "plain", "/", "plain").newConnection();
            Connection manager = amqp(b, "manager", "restricted", "manager").newConnection();
            Connection admin = amqp(b, "admin", "/", "admin").newConnection();
            try {
                CompletableFuture<ShutdownSignalException> plainClosed = closed(plain);
                CompletableFuture<ShutdownSignalException> managerClosed = closed(manager);
                String managerName = nameOf(b, manager);
                ConnectionsApiTest.await(b, "/api/connections", "admin", n -> n.get("name").asText()
                        .equals(managerName));

                assertThat(b.call("DELETE", "/api/users/plain", "admin", "pw", null).statusCode()).isEqualTo(204);
                AMQP.Connection.Close close = (AMQP.Connection.Close) plainClosed.get(30, TimeUnit.SECONDS)
                        .getReason();
                assertThat(close.getReplyCode()).isEqualTo(320);
                assertThat(close.getReplyText()).contains("user 'plain' was deleted");
                assertThat(manager.isOpen()).isTrue();

                assertThat(b.call("DELETE", "/api/permissions/restricted/manager", "admin", "pw", null).statusCode())
                        .isEqualTo(204);
                close = (AMQP.Connection.Close) managerClosed.get(30, TimeUnit.SECONDS).getReason();
                assertThat(close.getReplyCode()).isEqualTo(320);
                assertThat(close.getReplyText()).contains("'manager'", "'restricted'", "revoked");
                assertThat(admin.isOpen()).as("other users' connections stay").isTrue();
            } finally {
                plain.abort();
                manager.abort();
                admin.abort();
            }
        }
    }
}
