package dev.junction.routing.api;

/**
 * The event a protocol adapter fires down its connection's pipeline (from the head, so the listener's handlers see
 * it) once the client is through the protocol handshake: AMQP at {@code connection.open-ok}, MQTT once its CONNECT
 * is authenticated and accepted (before the session is set up, which is the broker's wait and has its own limit),
 * HTTP at the first request. Until then the listener counts the connection as handshaking, against
 * {@code limits.max_handshaking_connections} and {@code limits.handshake_timeout_ms}.
 */
public enum HandshakeCompleted {
    INSTANCE
}
