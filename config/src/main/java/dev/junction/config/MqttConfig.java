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
 */
public record MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
        int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
        String exchange, String vhost, long maxSessionExpirySeconds, boolean perSessionMetrics) {

    /** MQTT 5's "the session does not expire" value (0xFFFFFFFF). */
    public static final long NEVER_EXPIRE = 0xFFFF_FFFFL;

    public MqttConfig {
        Objects.requireNonNull(anonymousUser, "anonymousUser");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(vhost, "vhost");
    }

    /** Settings without per-session metrics. */
    public MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
            int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
            String exchange, String vhost, long maxSessionExpirySeconds) {
        this(allowAnonymous, anonymousUser, maxKeepalive, topicAliasMaximum, receiveMaximum, maxPacketSize,
                maxInflight, maxQueuedMessages, exchange, vhost, maxSessionExpirySeconds, false);
    }
}
