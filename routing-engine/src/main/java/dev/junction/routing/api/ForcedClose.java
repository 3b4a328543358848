package dev.junction.routing.api;

/**
 * Why the broker, not the client or the protocol, ends a connection; each protocol says it in its own words
 * (AMQP 0-9-1 {@code connection.close} 320 CONNECTION_FORCED for both; MQTT 5 DISCONNECT 0x98 Administrative action
 * or 0x8B Server shutting down; MQTT 3.1.1, which has no server DISCONNECT, closes the socket).
 */
public enum ForcedClose {
    /** An operator closed it (management API, or the user's access was removed). */
    ADMINISTRATIVE,
    /** The broker is stopping. */
    SHUTDOWN
}
