package dev.junction.conformance;

import java.nio.file.Path;

/**
 * What a conformance test's broker is configured with: the shared base (ephemeral ports on 127.0.0.1, the vhosts
 * "/", "restricted" and "empty", a {@code guest} administrator and a {@code limited} user, login throttling off)
 * and the parts a test overrides. Immutable; each {@code with} method returns a changed copy.
 *
 * <p>Login throttling is off: every test connects from 127.0.0.1, and tests that check refusals would make the
 * logins of later tests wait. LoginThrottleTest turns it on for its own brokers.
 *
 * @param heartbeatSeconds the heartbeat the broker proposes to AMQP clients
 * @param maxMessageSize the largest message body accepted
 * @param maxConnections the broker-wide connection limit, 0 for none
 * @param users extra list items of the {@code users:} section, indented by two spaces, or ""
 * @param limits extra keys of the {@code limits:} section, indented by two spaces, or ""; a
 *     {@code max_connections} key here replaces the base one
 * @param mqtt the keys of an {@code mqtt:} section, indented by two spaces, or "" for none
 * @param sections extra top-level sections (such as {@code auth:}), or ""
 */
public record BrokerConfig(
        int heartbeatSeconds, long maxMessageSize, int maxConnections, String users, String limits, String mqtt,
        String sections) {
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

    /** The base configuration: 60 s heartbeat, 16 MiB messages, no connection limit, nothing extra. */
    public static BrokerConfig standard() {
        return new BrokerConfig(60, 16L * 1024 * 1024, 0, "", "", "", "");
    }

    public BrokerConfig withHeartbeat(int seconds) {
        return new BrokerConfig(seconds, maxMessageSize, maxConnections, users, limits, mqtt, sections);
    }

    public BrokerConfig withMaxMessageSize(long bytes) {
        return new BrokerConfig(heartbeatSeconds, bytes, maxConnections, users, limits, mqtt, sections);
    }

    public BrokerConfig withMaxConnections(int max) {
        return new BrokerConfig(heartbeatSeconds, maxMessageSize, max, users, limits, mqtt, sections);
    }

    public BrokerConfig withUsers(String extraUsers) {
        return new BrokerConfig(heartbeatSeconds, maxMessageSize, maxConnections, extraUsers, limits, mqtt, sections);
    }

    public BrokerConfig withLimits(String extraLimits) {
        return new BrokerConfig(heartbeatSeconds, maxMessageSize, maxConnections, users, extraLimits, mqtt, sections);
    }

    public BrokerConfig withMqtt(String mqttSection) {
        return new BrokerConfig(heartbeatSeconds, maxMessageSize, maxConnections, users, limits, mqttSection,
                sections);
    }

    public BrokerConfig withSections(String extraSections) {
        return new BrokerConfig(heartbeatSeconds, maxMessageSize, maxConnections, users, limits, mqtt,
                extraSections);
    }

    /** The YAML text of this configuration, keeping the store in {@code dataDir}. */
    public String yaml(Path dataDir) {
        String base = BASE_CONFIG.formatted(dataDir, heartbeatSeconds, maxMessageSize, maxConnections)
                .replace("users:\n", "users:\n" + users);
        if (limits.contains("  max_connections:")) {
            base = base.replace("  max_connections: " + maxConnections + "\n", ""); // the extra one replaces it
        }
        return base + limits + (mqtt.isEmpty() ? "" : "mqtt:\n" + mqtt) + sections;
    }
}
