package dev.junction.conformance;

import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A broker started in this JVM on ephemeral ports, with a guest user and a second, restricted user for
 * permission tests. One per test class; close it in @AfterAll.
 *
 * <p>Login throttling is off: every test connects from 127.0.0.1, and tests that check refusals would make the
 * logins of later tests wait. LoginThrottleTest turns it on for its own brokers.
 */
public final class BrokerFixture implements AutoCloseable {
    public static final String BASE_CONFIG = """
            listeners:
              amqp: { bind: 127.0.0.1, port: 0 }
              mqtt: { bind: 127.0.0.1, port: 0 }
              mqtt_ws: { bind: 127.0.0.1, port: 0 }
              http: { bind: 127.0.0.1, port: 0 }
            storage: { dir: %s }
            vhosts: ["/", "restricted", "empty"]
            users:
              - name: guest
                password: guest
                loopback_only: true
                tags: [administrator]
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                  "restricted": { configure: ".*", write: ".*", read: ".*" }
              - name: limited
                password: limited
                permissions:
                  "restricted": { configure: "^own\\\\.", write: "^own\\\\.|amq\\\\.default", read: "^own\\\\." }
            limits:
              auth_failure_max_delay_ms: 0
              heartbeat: %d
              max_message_size: %d
              max_connections: %d
            """;

    private final Broker broker;
    private final Path dir;

    private BrokerFixture(Broker broker, Path dir) {
        this.broker = broker;
        this.dir = dir;
    }

    public static BrokerFixture start() throws Exception {
        return start(60, 16 * 1024 * 1024);
    }

    public static BrokerFixture start(int heartbeatSeconds, long maxMessageSize) throws Exception {
        return start(heartbeatSeconds, maxMessageSize, 0);
    }

    public static BrokerFixture start(int heartbeatSeconds, long maxMessageSize, int maxConnections)
            throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        String yaml = BASE_CONFIG.formatted(dir.resolve("data"), heartbeatSeconds, maxMessageSize, maxConnections);
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    /**
     * A broker whose config also has an {@code mqtt:} section ({@code mqttSection}: its keys, indented by two
     * spaces) and extra users ({@code extraUsers}: list items indented by two spaces, or "").
     */
    public static BrokerFixture startWithMqtt(String mqttSection, String extraUsers) throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        String yaml = BASE_CONFIG.formatted(dir.resolve("data"), 60, 16L * 1024 * 1024, 0)
                .replace("users:\n", "users:\n" + extraUsers) + "mqtt:\n" + mqttSection;
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    /**
     * A broker whose config also has extra users ({@code extraUsers}: list items indented by two spaces, or "") and
     * extra top-level sections ({@code extraSections}, such as an {@code auth:} section).
     */
    public static BrokerFixture startWithSections(String extraUsers, String extraSections) throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        String yaml = BASE_CONFIG.formatted(dir.resolve("data"), 60, 16L * 1024 * 1024, 0)
                .replace("users:\n", "users:\n" + extraUsers) + extraSections;
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    /**
     * A broker whose {@code limits:} section also has {@code extraLimits} (keys indented by two spaces, one per line)
     * and the given max message size.
     */
    public static BrokerFixture startWithLimits(long maxMessageSize, String extraLimits) throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        String yaml = BASE_CONFIG.formatted(dir.resolve("data"), 60, maxMessageSize, 0) + extraLimits;
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    /**
     * A broker keeping its store in {@code dataDir}, with {@code extraLimits} (keys indented by two spaces) added
     * to the limits section; starting it again on the same directory is a restart.
     */
    public static BrokerFixture startIn(Path dataDir, String extraLimits) throws Exception {
        String yaml = BASE_CONFIG.formatted(dataDir, 60, 16L * 1024 * 1024, 0) + extraLimits;
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dataDir.getParent());
    }

    /**
     * A broker whose {@code limits:} section also has {@code extraLimits} (its keys, indented by two spaces), with
     * an {@code mqtt:} section when {@code mqttSection} is not empty.
     */
    public static BrokerFixture startWithLimits(String extraLimits, String mqttSection) throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        String base = BASE_CONFIG.formatted(dir.resolve("data"), 60, 16L * 1024 * 1024, 0);
        if (extraLimits.contains("  max_connections:")) {
            base = base.replace("  max_connections: 0\n", ""); // the extra one replaces the fixture's
        }
        String yaml = base + extraLimits + (mqttSection.isEmpty() ? "" : "mqtt:\n" + mqttSection);
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    public int amqpPort() {
        return broker.address("amqp").getPort();
    }

    public int port(String listener) {
        return broker.address(listener).getPort();
    }

    public Broker broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
    }
}
