package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.config.ConfigException;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.LogCapture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code definitions_file:} (RabbitMQ's {@code load_definitions}): a file exported by a real RabbitMQ 3.10.8
 * (how it was made: {@code resources/definitions/README.md}) is imported at start, and a stock client then logs in
 * with the exported user's password and publishes through the exported exchange and binding into the exported
 * queue. Unknown fields are warned about, not fatal; a file that is not JSON stops the start naming the file.
 */
class DefinitionsFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPORTED = "/definitions/rabbitmq-3.10.8-definitions.json";
    private static final String CONFIG = """
            listeners:
              amqp: { bind: 127.0.0.1, port: 0 }
              mqtt: { enabled: false }
              mqtt_ws: { enabled: false }
              http: { enabled: false }
            storage: { dir: data }
            limits:
              auth_failure_max_delay_ms: 0
            users:
              - name: admin
                password: pw
                tags: [administrator]
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
            definitions_file: defs/definitions.json
            """;

    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("junction-defs");
        Files.createDirectories(dir.resolve("defs"));
        Files.writeString(dir.resolve("junction.yaml"), CONFIG);
    }

    @AfterEach
    void tearDown() {
        BrokerFixture.deleteTree(dir);
    }

    @Test
    void rabbitmqExportImportsAtStartAndItsUserPublishesThroughItsBinding() throws Exception {
        try (InputStream in = DefinitionsFileTest.class.getResourceAsStream(EXPORTED)) {
            Files.write(dir.resolve("defs/definitions.json"), in.readAllBytes());
        }
        try (BrokerFixture broker = BrokerFixture.startFile(dir.resolve("junction.yaml"))) {
            assertPublishesThroughExportedBinding(broker);
            // The export's guest (password "guest", administrator) comes in loopback-only, as RabbitMQ's default
            // loopback_users keeps it: the well-known password is no way in from another host.
            assertThat(broker.broker().engine().authorization().users().find("guest").orElseThrow().loopbackOnly())
                    .isTrue();
        }
        // Applied at every start, as RabbitMQ does: a restart on the same store imports it again without a conflict.
        try (BrokerFixture broker = BrokerFixture.startFile(dir.resolve("junction.yaml"))) {
            assertPublishesThroughExportedBinding(broker);
        }
    }

    @Test
    void theConfigFileWinsOverTheDefinitionsFileForTheUsersItDeclares() throws Exception {
        try (InputStream in = DefinitionsFileTest.class.getResourceAsStream(EXPORTED)) {
            Files.write(dir.resolve("defs/definitions.json"), in.readAllBytes());
        }
        // The export carries guest (password "guest", administrator); the YAML declares guest with its own password.
        Files.writeString(dir.resolve("junction.yaml"), CONFIG.replace("users:\n", """
                users:
                  - name: guest
                    password: yaml-pw
                    permissions:
                      "/": { configure: ".*", write: ".*", read: ".*" }
                """));
        try (BrokerFixture broker = BrokerFixture.startFile(dir.resolve("junction.yaml"))) {
            assertThatThrownBy(() -> login(broker, "guest", "guest", "/"))
                    .isInstanceOf(com.rabbitmq.client.AuthenticationFailureException.class);
            login(broker, "guest", "yaml-pw", "/").close();
            // The file's permission of guest in "shop" is not one the YAML declares: it is kept.
            login(broker, "guest", "yaml-pw", "shop").close();
        }
    }

    @Test
    void unknownFieldsAreOneWarningEachKindNotAFailure() throws Exception {
        ObjectNode doc;
        try (InputStream in = DefinitionsFileTest.class.getResourceAsStream(EXPORTED)) {
            doc = (ObjectNode) JSON.readTree(in);
        }
        doc.putArray("federation_upstreams").addObject().put("name", "upstream");
        ((ObjectNode) doc.withArray("queues").get(0)).put("leader_hint", "node-1");
        Files.write(dir.resolve("defs/definitions.json"), JSON.writeValueAsBytes(doc));
        try (LogCapture log = LogCapture.capture();
             BrokerFixture broker = BrokerFixture.startFile(dir.resolve("junction.yaml"))) {
            assertThat(warnings(log, "federation_upstreams")).hasSize(1);
            assertThat(warnings(log, "leader_hint")).hasSize(1)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("queues"));
            assertPublishesThroughExportedBinding(broker);
        }
    }

    @Test
    void malformedFileStopsTheStartNamingFileAndLine() throws Exception {
        Files.writeString(dir.resolve("defs/definitions.json"), "{\n  \"vhosts\": [\n    {\"name\": \"shop\",,}\n  ]\n}\n");
        assertThatThrownBy(() -> BrokerFixture.startFile(dir.resolve("junction.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("defs/definitions.json").toAbsolutePath() + ":3")
                .hasMessageContaining("malformed JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingFileIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> BrokerFixture.startFile(dir.resolve("junction.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("definitions_file")
                .hasMessageContaining("cannot read");
    }

    private static java.util.List<ILoggingEvent> warnings(LogCapture log, String text) {
        return log.matching(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(text));
    }

    private static Connection login(BrokerFixture broker, String user, String password, String vhost)
            throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setVirtualHost(vhost);
        f.setUsername(user);
        f.setPassword(password);
        return f.newConnection();
    }

    private static void assertPublishesThroughExportedBinding(BrokerFixture broker) throws Exception {
        // The file has only RabbitMQ's salted SHA-256 of this password.
        try (Connection c = login(broker, "shopper", "s3cret-Pass", "shop"); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            // Passive declares: the exchange and queue are the file's, with the exported arguments.
            ch.exchangeDeclarePassive("orders.x");
            ch.queueDeclarePassive("orders.q");
            ch.queuePurge("orders.q");
            ch.basicPublish("orders.x", "orders.new", new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "order 1".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            GetResponse got = ch.basicGet("orders.q", true);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("order 1");
        }
    }
}
