package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code limits.consumer_timeout}: RabbitMQ's {@code consumer_timeout}, in milliseconds, 30 minutes by default. */
class ConsumerTimeoutTest {

    @Test
    void defaultsToRabbitMqsThirtyMinutes() throws ConfigException {
        assertThat(parse("limits: { heartbeat: 0 }").limits().consumerTimeoutMs()).isEqualTo(1_800_000L);
    }

    @Test
    void isReadInMillisecondsAndZeroTurnsItOff() throws ConfigException {
        assertThat(parse("limits: { consumer_timeout: 900000 }").limits().consumerTimeoutMs()).isEqualTo(900_000L);
        assertThat(parse("limits: { consumer_timeout: 0 }").limits().consumerTimeoutMs()).isZero();
    }

    @Test
    void aNegativeValueIsRefused() {
        assertRejected("limits: { consumer_timeout: -1 }", 1, "limits.consumer_timeout", "out of range");
    }
}
