package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class ListenerConflictsTest {

    @Test
    void twoEnabledListenersOnTheSamePortAndBindAreRejected() {
        assertRejected("""
                listeners:
                  amqp: { bind: 10.0.0.1, port: 7000 }
                  mqtt: { bind: 10.0.0.1, port: 7000 }
                """, 3, "listeners.mqtt.port", "port 7000 on 10.0.0.1 is already used by listeners.amqp (10.0.0.1:7000)");
    }

    @Test
    void theListenerWhosePortWasWrittenDownIsBlamedNotTheDefault() {
        assertRejected("""
                listeners:
                  http:
                    bind: 0.0.0.0
                    port: 1883
                """, 4, "listeners.http.port", "is already used by listeners.mqtt (0.0.0.0:1883)");
    }

    @Test
    void aWildcardBindClashesWithASpecificAddressOnTheSamePort() {
        assertRejected("""
                listeners:
                  amqp: { port: 9000 }
                  http: { bind: 127.0.0.1, port: 9000 }
                """, 3, "listeners.http.port", "already used by listeners.amqp (0.0.0.0:9000)");
    }

    @Test
    void differentAddressesMayShareAPort() {
        assertThatCode(() -> parse("""
                listeners:
                  mqtt: { bind: 10.0.0.1, port: 9000 }
                  http: { bind: 127.0.0.1, port: 9000 }
                """)).doesNotThrowAnyException();
    }

    @Test
    void aDisabledListenerClashesWithNothing() {
        assertThatCode(() -> parse("""
                listeners:
                  mqtt_ws: { enabled: false }
                  http: { bind: 0.0.0.0, port: 8083 }
                """)).doesNotThrowAnyException();
    }

    @Test
    void portZeroNeverClashes() {
        assertThatCode(() -> parse("""
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { port: 0 }
                """)).doesNotThrowAnyException();
    }

    @Test
    void aBindWithWhitespaceIsRejected() {
        assertRejected("listeners:\n  amqp:\n    bind: \"10.0.0.1 10.0.0.2\"\n", 3, "listeners.amqp.bind",
                "is not an address");
    }
}
