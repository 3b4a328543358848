package dev.junction.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How connections are let in before any protocol work is done for them.
 *
 * <p>{@code maxHandshaking}: connections accepted but not yet through their protocol handshake (AMQP up to
 * {@code connection.open-ok}, MQTT up to CONNACK, HTTP up to the first request). When it is reached, the oldest
 * of them is closed to make room, so silent sockets cannot lock out a client that completes its handshake.
 * {@code maxPerSource}: open connections (handshaking or not) from one IP address. {@code handshakeTimeout}:
 * how long a connection may take to complete its handshake. {@code httpIdleTimeout}: how long an HTTP connection
 * may stay open without a request. 0 counts mean unlimited.
 */
public record Admission(int maxHandshaking, int maxPerSource, Duration handshakeTimeout, Duration httpIdleTimeout) {
    public static final Admission DEFAULTS =
            new Admission(1_000, 1_000, Duration.ofSeconds(10), Duration.ofSeconds(60));

    public Admission {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(httpIdleTimeout, "httpIdleTimeout");
    }
}
