package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.failure;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangeChecksTest {

    @Test
    void aPortAbove65535IsOutOfRange() {
        ConfigException e = failure("""
                listeners:
                  amqp:
                    port: 70000
                """);

        assertThat(e.getMessage()).isEqualTo("test.yaml:3: listeners.amqp.port: 70000 is out of range (0..65535)");
        assertThat(e.problem()).isEqualTo("70000 is out of range (0..65535)");
    }

    @Test
    void aNegativePortIsOutOfRange() {
        assertRejected("listeners: { mqtt_ws: { port: -1 } }", 1, "listeners.mqtt_ws.port", "-1 is out of range (0..65535)");
    }

    @Test
    void portZeroMeansPickAFreePort() throws ConfigException {
        assertThat(parse("listeners: { amqp: { port: 0 }, mqtt: { port: 0 } }").listeners().mqtt().port()).isZero();
    }

    @Test
    void anAbsurdlyLargeNumberIsOutOfRangeRatherThanOverflowing() {
        assertRejected("limits: { max_message_size: 99999999999999999999999 }", 1, "limits.max_message_size",
                "99999999999999999999999 is out of range (1..536870912)");
    }

    @ParameterizedTest(name = "{0}.{1} = {2}")
    @CsvSource({
            "limits, max_connections, -1, 0..2147483647",
            "limits, channel_max, 0, 1..65535",
            "limits, channel_max, 65536, 1..65535",
            "limits, frame_max, 4095, 4096..2147483647",
            "limits, max_message_size, 0, 1..536870912",
            "limits, max_message_size, 536870913, 1..536870912",
            "limits, heartbeat, 65536, 0..65535",
            "mqtt, max_keepalive, 0, 1..65535",
            "mqtt, topic_alias_maximum, 65536, 0..65535",
            "mqtt, receive_maximum, 0, 1..65535",
            "mqtt, receive_maximum, 65536, 1..65535",
            "mqtt, max_packet_size, 0, 1..268435455",
            "mqtt, max_packet_size, 268435456, 1..268435455",
            "mqtt, max_inflight, 0, 1..65535",
            "mqtt, max_queued_messages, 0, 1..2147483647",
            "mqtt, max_session_expiry_seconds, 4294967296, 0..4294967295",
            "storage, group_commit_max_messages, 0, 1..1000000",
            "storage, group_commit_max_wait_ms, 10001, 0..10000",
            "storage, queue_window_messages, -1, 0..10000000",
            "storage, queue_window_bytes, 1023, 1024..9223372036854775807",
    })
    void valuesOutsideTheirRangeAreRejected(String section, String key, String value, String range) {
        assertRejected(section + ":\n  " + key + ": " + value + "\n", 2, section + "." + key,
                value + " is out of range (" + range + ")");
    }

    @Test
    void theEdgesOfEachRangeAreAccepted() throws ConfigException {
        JunctionConfig c = parse("""
                limits: { max_connections: 0, channel_max: 65535, frame_max: 4096, max_message_size: 536870912,
                          heartbeat: 0 }
                mqtt: { topic_alias_maximum: 0, receive_maximum: 65535, max_packet_size: 268435455,
                        max_session_expiry_seconds: 4294967295 }
                storage: { group_commit_max_wait_ms: 0 }
                """);

        assertThat(c.limits()).isEqualTo(new Limits(0, 65535, 4096, 536_870_912L, 0, 60, 67_108_864L, 5000, DiskFreeLimit.DEFAULT,
                Limits.DEFAULT_MAX_RETAINED_MESSAGES, Limits.DEFAULT_MAX_RETAINED_BYTES));
        assertThat(c.mqtt().maxSessionExpirySeconds()).isEqualTo(MqttConfig.NEVER_EXPIRE);
        assertThat(c.storage().groupCommitMaxWait()).isEqualTo(Duration.ZERO);
    }

    @Test
    void anUnknownFsyncModeIsRejectedWithTheAllowedOnes() {
        assertRejected("storage:\n  fsync: sometimes\n", 2, "storage.fsync",
                "expected one of group, always, never, got 'sometimes'");
    }

    @Test
    void fsyncModesAreReadCaseInsensitively() throws ConfigException {
        assertThat(parse("storage: { fsync: NEVER }").storage().fsync()).isEqualTo(FsyncMode.NEVER);
    }

    @Test
    void anUnknownLogLevelIsRejected() {
        assertRejected("logging:\n  level: verbose\n", 2, "logging.level",
                "expected one of trace, debug, info, warn, error, got 'verbose'");
    }

    @Test
    void anEmptyStorageDirIsRejected() {
        assertRejected("storage:\n  dir: \"\"\n", 2, "storage.dir", "must not be empty");
    }

    @Test
    void anEmptyBindIsRejected() {
        assertRejected("listeners:\n  http: { bind: '' }\n", 2, "listeners.http.bind", "must not be empty");
    }
}
