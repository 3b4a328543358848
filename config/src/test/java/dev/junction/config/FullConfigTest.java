package dev.junction.config;

import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FullConfigTest {

    @Test
    void everyKeyGivenInTheFileEndsUpInTheModel() throws ConfigException {
        JunctionConfig c = parse("""
                listeners:
                  amqp: { enabled: false, bind: "::1", port: 5673 }
                  mqtt: { bind: 10.1.2.3, port: 1884 }
                  mqtt_ws: { port: 0 }
                  http: { bind: localhost, port: 9090 }
                storage:
                  dir: /var/lib/junction
                  fsync: always
                  group_commit_max_messages: 64
                  group_commit_max_wait_ms: 5
                  queue_window_messages: 0
                  queue_window_bytes: 65536
                  compaction: true
                vhosts: ["/", prod, "iot devices"]
                users:
                  - name: admin
                    password: pw
                    tags: [administrator, monitoring]
                    permissions:
                      "/": { configure: ".*", write: ".*", read: ".*" }
                      prod: { configure: "", write: "^out\\\\.", read: "^in\\\\." }
                  - name: sensor
                    password_hash: kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR
                    loopback_only: true
                    permissions:
                      "iot devices": { write: ".*" }
                    acl:
                      - { permission: allow, action: publish, topic: "sensors/%c/#" }
                      - { permission: deny, action: all, topic: "#" }
                limits:
                  max_connections: 0
                  channel_max: 16
                  frame_max: 8192
                  max_message_size: 1048576
                  heartbeat: 0
                amqp:
                  default_vhost: prod
                mqtt:
                  allow_anonymous: true
                  anonymous_user: sensor
                  max_keepalive: 600
                  topic_alias_maximum: 0
                  receive_maximum: 10
                  max_packet_size: 65536
                  max_inflight: 20
                  max_queued_messages: 500
                  max_session_expiry_seconds: 3600
                  exchange: mqtt
                  vhost: iot devices
                logging:
                  level: WARN
                """);

        assertThat(c.listeners()).isEqualTo(new Listeners(
                new ListenerConfig(false, "::1", 5673),
                new ListenerConfig(true, "10.1.2.3", 1884),
                new ListenerConfig(true, "0.0.0.0", 0),
                new ListenerConfig(true, "localhost", 9090)));
        assertThat(c.storage()).isEqualTo(
                new StorageConfig(Path.of("/var/lib/junction"), FsyncMode.ALWAYS, 64, Duration.ofMillis(5), 0, 65536, true));
        assertThat(c.vhosts()).containsExactly("/", "prod", "iot devices");
        assertThat(c.users()).extracting(UserConfig::name).containsExactly("admin", "sensor");
        UserConfig admin = c.user("admin").orElseThrow();
        assertThat(admin.tags()).containsExactly("administrator", "monitoring");
        assertThat(admin.hasTag("monitoring")).isTrue();
        assertThat(admin.permissions()).containsOnlyKeys("/", "prod");
        assertThat(admin.permissions().get("prod")).isEqualTo(VhostPermission.of("", "^out\\.", "^in\\."));
        UserConfig sensor = c.user("sensor").orElseThrow();
        assertThat(sensor.loopbackOnly()).isTrue();
        assertThat(sensor.permissions().get("iot devices")).isEqualTo(VhostPermission.of("", ".*", ""));
        assertThat(sensor.acl()).hasSize(2);
        assertThat(c.limits()).isEqualTo(new Limits(0, 16, 8192, 1_048_576L, 0, 60, 67_108_864L, 5000, DiskFreeLimit.DEFAULT,
                Limits.DEFAULT_MAX_RETAINED_MESSAGES, Limits.DEFAULT_MAX_RETAINED_BYTES));
        assertThat(c.amqp()).isEqualTo(new AmqpConfig("prod"));
        assertThat(c.mqtt()).isEqualTo(new MqttConfig(true, Optional.of("sensor"), 600, 0, 10, 65_536, 20, 500,
                "mqtt", "iot devices", 3600));
        assertThat(c.logging().level()).isEqualTo("warn");
    }

    @Test
    void sectionsMayComeInAnyOrder() throws ConfigException {
        JunctionConfig c = parse("""
                mqtt: { vhost: iot }
                users: [{ name: a, password: b, permissions: { iot: {} } }]
                vhosts: ["/", iot]
                """);

        assertThat(c.mqtt().vhost()).isEqualTo("iot");
        assertThat(c.user("a").orElseThrow().permissions().get("iot")).isEqualTo(VhostPermission.of("", "", ""));
    }
}
