package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
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
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.LogCapture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hot reload of the config file ({@code POST /api/reload}, the call behind SIGHUP and {@code junction ctl reload}):
 * users added and removed, permissions revoked, without touching other connections; a bad file keeps the running
 * configuration and is logged as one line naming the file, line and key.
 */
class ConfigReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BASE = """
            listeners:
              amqp: { bind: 127.0.0.1, port: 0 }
              mqtt: { bind: 127.0.0.1, port: 0 }
              mqtt_ws: { enabled: false }
              http: { bind: 127.0.0.1, port: 0 }
            storage: { dir: data }
            limits:
              auth_failure_max_delay_ms: 0
            users:
              - name: admin
                password: pw
                tags: [administrator]
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
              - name: alice
                password: a-pw
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
            """;
    private static final String BOB = """
              - name: bob
                password: b-pw
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
            """;

    /** A broker started from a file of its own, in a directory deleted after the test. */
    static final class FileBroker extends ConformanceBroker {
        /** A reload sets the root log level of this JVM: the test run's own is put back afterwards. */
        private final ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Level level = root.getLevel();
        private Path dir;

        FileBroker() {
            super(Lifecycle.PER_METHOD, BrokerConfig.standard());
        }

        @Override
        protected BrokerFixture launch(BrokerConfig ignored) throws Exception {
            dir = Files.createTempDirectory("junction-reload");
            write(BASE + BOB);
            return BrokerFixture.startFile(file());
        }

        /** Writes the config file, its store in this broker's directory. */
        void write(String yaml) throws IOException {
            Files.writeString(file(), yaml.replace("dir: data", "dir: " + dir.resolve("data")));
        }

        Path file() {
            return dir.resolve("reload.yaml");
        }

        @Override
        public void afterEach(ExtensionContext context) {
            super.afterEach(context);
            root.setLevel(level);
            BrokerFixture.deleteTree(dir);
        }
    }

    @RegisterExtension
    final FileBroker broker = new FileBroker();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> reload(String user) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port("http") + "/api/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + (user.equals("admin") ? "pw" : "a-pw")).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private Connection amqp(String user, String password) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setAutomaticRecoveryEnabled(false);
        return broker.closeBeforeStop(f.newConnection());
    }

    private Mqtt5BlockingClient mqtt(String clientId, String user, String password) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        broker.closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    @Test
    void reloadAddsAUserAndRemovesAUserWithoutTouchingOtherConnections() throws Exception {
        Connection alice = amqp("alice", "a-pw");
        Channel aliceChannel = alice.createChannel();
        Mqtt5BlockingClient aliceDevice = mqtt("alice-device", "alice", "a-pw");
        Connection bob = amqp("bob", "b-pw");
        java.util.concurrent.CompletableFuture<com.rabbitmq.client.ShutdownSignalException> bobClosed =
                new java.util.concurrent.CompletableFuture<>();
        bob.addShutdownListener(bobClosed::complete);

        broker.write(BASE + """
                  - name: carol
                    password: c-pw
                    permissions:
                      "/": { configure: ".*", write: ".*", read: ".*" }
                """);
        HttpResponse<String> r = reload("admin");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode outcome = JSON.readTree(r.body());
        assertThat(outcome.get("users_changed").toString()).contains("bob").doesNotContain("alice");

        amqp("carol", "c-pw");
        mqtt("carol-device", "carol", "c-pw");
        assertThatThrownBy(() -> amqp("bob", "b-pw")).isInstanceOf(AuthenticationFailureException.class);
        // A user the reload removed is gone for its open connections too (320, naming the user).
        assertThat(bobClosed.get(30, java.util.concurrent.TimeUnit.SECONDS).getMessage())
                .contains("reply-code=320").contains("user 'bob' was deleted");
        assertThatThrownBy(() -> mqtt("bob-device", "bob", "b-pw")).isInstanceOf(Mqtt5ConnAckException.class);
        // alice's connections were not touched: the same channel and the same MQTT session go on working.
        assertThat(alice.isOpen()).isTrue();
        aliceChannel.queueDeclare("alice.after-reload", false, false, true, null);
        assertThat(aliceDevice.getState().isConnected()).isTrue();
        aliceDevice.publishWith().topic("alice/after").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
    }

    @Test
    void permissionRevokedByAReloadAppliesToTheNextOperationOfAnOpenChannel() throws Exception {
        Channel ch = amqp("alice", "a-pw").createChannel();
        ch.queueDeclare("alice.before", false, false, true, null);
        String narrowed = BASE.replace("password: a-pw\n    permissions:\n      \"/\": { configure: \".*\"",
                "password: a-pw\n    permissions:\n      \"/\": { configure: \"^alice\\\\.before$\"");
        assertThat(narrowed).isNotEqualTo(BASE);
        broker.write(narrowed);
        assertThat(reload("admin").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> ch.queueDeclare("alice.after", false, false, true, null))
                .hasStackTraceContaining("reply-code=403");
    }

    @Test
    void aBadFileKeepsTheRunningConfigurationAndLogsOneLineNamingFileLineAndKey() throws Exception {
        String bad = BASE + BOB + """
                  - name: zed
                    pasword: z-pw
                """;
        int line = (int) (BASE + BOB).lines().count() + 2;
        broker.write(bad);
        try (LogCapture log = LogCapture.capture()) {
            HttpResponse<String> r = reload("admin");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("reason").asText()).contains("reload.yaml:" + line)
                    .contains("pasword");
            var warnings = log.matching(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("reload.yaml"));
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).contains("reload.yaml:" + line).contains("pasword")
                    .doesNotContain("\n");
        }
        // The running configuration stays: bob still logs in, zed does not exist.
        amqp("bob", "b-pw");
        assertThatThrownBy(() -> amqp("zed", "z-pw")).isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void reloadAppliesQuotasAndTheLogLevel() throws Exception {
        amqp("alice", "a-pw");
        broker.write(BASE.replace("  auth_failure_max_delay_ms: 0\n", """
                      auth_failure_max_delay_ms: 0
                      users:
                        alice: { max_connections: 1 }
                    logging:
                      level: warn
                    """) + BOB);
        assertThat(reload("admin").statusCode()).isEqualTo(200);
        assertThat(((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME)).getLevel()).isEqualTo(Level.WARN);
        assertThatThrownBy(() -> amqp("alice", "a-pw")).isInstanceOf(IOException.class);
        amqp("bob", "b-pw");
    }

    @Test
    void onlyAdministratorsReload() throws Exception {
        broker.write(BASE);
        assertThat(reload("alice").statusCode()).isEqualTo(401);
        amqp("bob", "b-pw"); // nothing was reloaded
    }
}
