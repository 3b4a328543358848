package dev.junction.config;

/**
 * Connection and message limits. {@code maxConnections} 0 means unlimited; {@code heartbeatSeconds}
 * 0 disables heartbeats; {@code maxMessageSize} is in bytes. Past {@code memoryHighWatermarkPercent} of the
 * maximum heap, publishers are blocked until memory use falls again.
 */
public record Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds,
                     int memoryHighWatermarkPercent) {
}
