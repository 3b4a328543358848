package dev.junction.config;

import java.util.Objects;

/**
 * Connection and message limits. {@code maxConnections} 0 means unlimited; {@code heartbeatSeconds}
 * 0 disables heartbeats; {@code maxMessageSize} is in bytes. Past {@code memoryHighWatermarkPercent} of the
 * maximum heap, publishers are blocked until memory use falls again; below {@code diskFreeLimit} of free space
 * on the store's file system too. {@code maxContentInFlightBytes} caps the message content one AMQP connection may
 * have received and not yet seen accepted by queues (never below {@code maxMessageSize} in effect).
 * {@code authFailureMaxDelayMs} is the longest delay put on the answer to a failed login (0 turns the throttle
 * off). {@code maxRetainedMessages} and {@code maxRetainedBytes} bound the MQTT retained messages of each vhost
 * (count, and bytes of the stored messages). {@code admission} governs connections before their handshake,
 * {@code quotas} what clients may create. {@code consumerTimeoutMs} is how long a delivery may stay unacknowledged
 * before its channel is closed (RabbitMQ's {@code consumer_timeout}; 0 turns the check off), where its queue sets
 * no {@code x-consumer-timeout}.
 */
public record Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds,
                     int memoryHighWatermarkPercent, long maxContentInFlightBytes, int authFailureMaxDelayMs,
                     DiskFreeLimit diskFreeLimit, long maxRetainedMessages, long maxRetainedBytes,
                     Admission admission, Quotas quotas, long consumerTimeoutMs) {

    public static final long DEFAULT_MAX_RETAINED_MESSAGES = 100_000;
    /** RabbitMQ's default {@code consumer_timeout}: 30 minutes. */
    public static final long DEFAULT_CONSUMER_TIMEOUT_MS = 1_800_000;
    public static final long DEFAULT_MAX_RETAINED_BYTES = 64L << 20;

    public Limits {
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(quotas, "quotas");
    }

    /** Limits with the default acknowledgement timeout. */
    public Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds,
                  int memoryHighWatermarkPercent, long maxContentInFlightBytes, int authFailureMaxDelayMs,
                  DiskFreeLimit diskFreeLimit, long maxRetainedMessages, long maxRetainedBytes,
                  Admission admission, Quotas quotas) {
        this(maxConnections, channelMax, frameMax, maxMessageSize, heartbeatSeconds, memoryHighWatermarkPercent,
                maxContentInFlightBytes, authFailureMaxDelayMs, diskFreeLimit, maxRetainedMessages, maxRetainedBytes,
                admission, quotas, DEFAULT_CONSUMER_TIMEOUT_MS);
    }

    /** Limits with the default admission and quotas. */
    public Limits(int maxConnections, int channelMax, int frameMax, long maxMessageSize, int heartbeatSeconds,
                  int memoryHighWatermarkPercent, long maxContentInFlightBytes, int authFailureMaxDelayMs,
                  DiskFreeLimit diskFreeLimit, long maxRetainedMessages, long maxRetainedBytes) {
        this(maxConnections, channelMax, frameMax, maxMessageSize, heartbeatSeconds, memoryHighWatermarkPercent,
                maxContentInFlightBytes, authFailureMaxDelayMs, diskFreeLimit, maxRetainedMessages, maxRetainedBytes,
                Admission.DEFAULTS, Quotas.DEFAULTS);
    }
}
