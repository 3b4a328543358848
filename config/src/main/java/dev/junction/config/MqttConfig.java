package dev.junction.config;

import java.util.Objects;
import java.util.Optional;

/**
 * MQTT settings.
 *
 * <p>{@code anonymousUser} is the configured user whose ACL and permissions apply to clients that
 * connect without credentials; it is always present when {@code allowAnonymous} is true.
 * MQTT messages are routed through {@code exchange} in {@code vhost}, so AMQP consumers can bind to them.
 * {@code maxSessionExpirySeconds} caps how long a disconnected session is kept: MQTT 5 requests are
 * lowered to it, and MQTT 3.1.1 {@code cleanSession=false} sessions (which ask for "forever") get it;
 * {@link #NEVER_EXPIRE} keeps sessions forever. {@code perSessionMetrics} gives each session's queue its own
 * metrics, labelled with the client id; off by default, since client ids often name devices or people.
 * {@code sysIntervalSeconds} is how often the broker's status is published under {@code $SYS/broker/} (Mosquitto's
 * {@code sys_interval}, whose default of 10 it keeps); 0 publishes none.
 */
public record MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
        int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
        String exchange, String vhost, long maxSessionExpirySeconds, boolean perSessionMetrics,
        int sysIntervalSeconds) {

    /** MQTT 5's "the session does not expire" value (0xFFFFFFFF). */
    public static final long NEVER_EXPIRE = 0xFFFF_FFFFL;

    /** Seconds between two publications of the {@code $SYS} topics, as Mosquitto's default. */
    public static final int DEFAULT_SYS_INTERVAL_SECONDS = 10;

    public MqttConfig {
        Objects.requireNonNull(anonymousUser, "anonymousUser");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(vhost, "vhost");
        if (sysIntervalSeconds < 0) {
            throw new IllegalArgumentException("sysIntervalSeconds must be 0 or more: " + sysIntervalSeconds);
        }
    }

    /** Settings with the default {@code $SYS} interval. */
    public MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
            int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
            String exchange, String vhost, long maxSessionExpirySeconds, boolean perSessionMetrics) {
        this(allowAnonymous, anonymousUser, maxKeepalive, topicAliasMaximum, receiveMaximum, maxPacketSize,
                maxInflight, maxQueuedMessages, exchange, vhost, maxSessionExpirySeconds, perSessionMetrics,
                DEFAULT_SYS_INTERVAL_SECONDS);
    }

    /** Settings without per-session metrics, with the default {@code $SYS} interval. */
    public MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
            int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
            String exchange, String vhost, long maxSessionExpirySeconds) {
        this(allowAnonymous, anonymousUser, maxKeepalive, topicAliasMaximum, receiveMaximum, maxPacketSize,
                maxInflight, maxQueuedMessages, exchange, vhost, maxSessionExpirySeconds, false);
    }
}
