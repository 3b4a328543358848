package dev.junction.conformance.management;

import static dev.junction.conformance.management.ConnectionsApiTest.amqp;
import static dev.junction.conformance.management.ConnectionsApiTest.mqtt5;
import static dev.junction.conformance.management.ConnectionsApiTest.nameOf;
import static dev.junction.conformance.management.ConnectionsApiTest.path;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.LogCapture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each connection through its handshake logs one INFO line when it opens and one when it closes, with protocol,
 * peer, user, vhost, client id or connection name, and for the close the reason (issue 13, operator details).
 */
class ConnectionLogTest {
    private static final long WAIT_MS = 20_000;
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static List<String> lines(LogCapture logs, String text) {
        return logs.matching(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains(text)).stream()
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void anAmqpConnectionLogsItsOpenAndItsCloseWithTheReason() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(Class.forName("dev.junction.amqp.AmqpConnection"),
                Level.INFO)) {
            Connection c = amqp(broker, "admin", "/", "logged").newConnection();
            String name = nameOf(broker, c);
            c.close();
            assertThat(logs.await(name + "') closed", WAIT_MS)).as("logged: %s", logs.events()).isTrue();
            assertThat(lines(logs, name + "') opened")).singleElement().asString()
                    .contains("AMQP 0-9-1", "from 127.0.0.1:", "user 'admin'", "vhost '/'");
            assertThat(lines(logs, name + "') closed")).singleElement().asString()
                    .endsWith("closed: client closed the connection");
        }
    }

    @Test
    void anMqttConnectionLogsItsOpenAndItsCloseWithTheReason() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(Class.forName("dev.junction.mqtt.MqttConnection"),
                Level.INFO)) {
            mqtt5(broker, "logged-v5", new CompletableFuture<>()).disconnect();
            assertThat(logs.await("'logged-v5' from", WAIT_MS)).isTrue();
            assertThat(logs.await("closed: client disconnected", WAIT_MS)).as("logged: %s", logs.events()).isTrue();
            assertThat(lines(logs, "'logged-v5' from")).hasSize(2).first().asString()
                    .contains("MQTT 5 connection 'logged-v5' from 127.0.0.1:", "user 'admin'", "vhost '/'")
                    .endsWith("opened");

            CompletableFuture<Throwable> gone = new CompletableFuture<>();
            mqtt5(broker, "kicked-v5", gone);
            JsonNode kicked = ConnectionsApiTest.await(broker, "/api/connections", "admin",
                    n -> n.path("client_id").asText().equals("kicked-v5"));
            broker.call("DELETE", "/api/connections/" + path(kicked.get("name").asText()), "admin", "pw", null, "bye");
            gone.get(30, TimeUnit.SECONDS);
            assertThat(logs.await("closed: closed by administrator: bye", WAIT_MS)).as("logged: %s", logs.events())
                    .isTrue();
        }
    }
}
