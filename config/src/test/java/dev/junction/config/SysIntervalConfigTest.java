package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code mqtt.sys_interval}: how often the {@code $SYS} topics are published, Mosquitto's default, 0 for none. */
class SysIntervalConfigTest {

    @Test
    void theDefaultIsMosquittosTenSeconds() throws ConfigException {
        assertThat(parse("").mqtt().sysIntervalSeconds()).isEqualTo(10);
        assertThat(ConfigLoader.defaults().mqtt().sysIntervalSeconds()).isEqualTo(10);
    }

    @Test
    void zeroTurnsTheTopicsOff() throws ConfigException {
        assertThat(parse("mqtt: { sys_interval: 0 }").mqtt().sysIntervalSeconds()).isZero();
    }

    @Test
    void anIntervalIsKept() throws ConfigException {
        assertThat(parse("mqtt: { sys_interval: 60 }").mqtt().sysIntervalSeconds()).isEqualTo(60);
        assertThat(parse("mqtt: { sys_interval: 86400 }").mqtt().sysIntervalSeconds()).isEqualTo(86_400);
    }

    @Test
    void aNegativeIntervalNamesFileLineAndKey() {
        assertRejected("""
                mqtt:
                  exchange: amq.topic
                  sys_interval: -1
                """, 3, "mqtt.sys_interval", "-1 is out of range (0..86400)");
    }

    @Test
    void anIntervalOverADayIsRefused() {
        assertRejected("mqtt: { sys_interval: 86401 }", 1, "mqtt.sys_interval", "86401 is out of range (0..86400)");
    }

    @Test
    void aDurationWithAUnitIsNotAnInteger() {
        assertRejected("""
                mqtt:
                  sys_interval: 10s
                """, 2, "mqtt.sys_interval", "expected an integer, got '10s'");
    }
}
