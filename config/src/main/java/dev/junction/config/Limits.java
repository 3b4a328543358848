package dev.junction.config;

/**
 * Connection and message limits. {@code maxConnections} 0 means unlimited; {@code heartbeatSeconds}
 * 0 disables heartbeats; {@code maxMessageSize} is in bytes. Past {@code memoryHighWatermarkPercent} of the
 * maximum heap, publishers are blocked until memory use falls again. {@code maxContentInFlightBytes} caps the
 * message content one AMQP connection may have received and not yet seen accepted by queues (never below
 * {@code maxMessageSize} in effect). {@code authFailureMaxDelayMs} is the longest delay put on the answer to a
 * failed login (0 turns the throttle off).
 */
public record Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds,
                     int memoryHighWatermarkPercent, long maxContentInFlightBytes, int authFailureMaxDelayMs) {
}
