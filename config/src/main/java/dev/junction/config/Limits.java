package dev.junction.config;

/**
 * Connection and message limits. {@code maxConnections} 0 means unlimited; {@code heartbeatSeconds}
 * 0 disables heartbeats; {@code maxMessageSize} is in bytes.
 */
public record Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds) {
}
