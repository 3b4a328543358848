package dev.junction.routing.api;

/**
 * The event a protocol adapter fires down its connection's pipeline (from the head, so the listener's handlers see
 * it) once the client is through the protocol handshake: AMQP at {@code connection.open-ok}, MQTT once its CONNECT
 * is authenticated and has passed its own checks (before the session is set up, which is the broker's wait and has
 * a limit of its own), HTTP at the first request. Until then the listener counts the connection as handshaking, against
 * {@code limits.max_handshaking_connections} and {@code limits.handshake_timeout_ms}.
 */
public enum HandshakeCompleted {
    INSTANCE
}
