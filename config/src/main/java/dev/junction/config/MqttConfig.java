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
 * {@code sys_interval}, whose default of 10 it keeps); 0 publishes none. {@code durableQueueType} is the type of
 * the queue of a session that outlives its connection ({@code durable_queue_type}, RabbitMQ's
 * {@code mqtt.durable_queue_type}): {@link DurableQueueType#QUORUM} only in a cluster, where the reader makes it
 * the default; a broker alone always has {@link DurableQueueType#CLASSIC} (docs/cluster.md, "MQTT sessions").
 */
public record MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
        int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
        String exchange, String vhost, long maxSessionExpirySeconds, boolean perSessionMetrics,
        int sysIntervalSeconds, DurableQueueType durableQueueType) {

    /**
     * The queue type of a persistent session (MQTT 3.1.1 Clean Session 0, MQTT 5 Session Expiry Interval above 0).
     * YAML spelling: {@code quorum | classic}.
     */
    public enum DurableQueueType {
        /** A durable classic queue on the node the session subscribed on: its messages stay on that node. */
        CLASSIC,
        /** A quorum queue, replicated in the cluster's quorum groups: the session resumes on any node. */
        QUORUM
    }

    /** MQTT 5's "the session does not expire" value (0xFFFFFFFF). */
    public static final long NEVER_EXPIRE = 0xFFFF_FFFFL;

    /** Seconds between two publications of the {@code $SYS} topics, as Mosquitto's default. */
    public static final int DEFAULT_SYS_INTERVAL_SECONDS = 10;

    public MqttConfig {
        Objects.requireNonNull(anonymousUser, "anonymousUser");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(durableQueueType, "durableQueueType");
        if (sysIntervalSeconds < 0) {
            throw new IllegalArgumentException("sysIntervalSeconds must be 0 or more: " + sysIntervalSeconds);
        }
    }

    /** Settings of a broker alone: persistent sessions in classic queues. */
    public MqttConfig(boolean allowAnonymous, Optional<String> anonymousUser, int maxKeepalive,
            int topicAliasMaximum, int receiveMaximum, int maxPacketSize, int maxInflight, int maxQueuedMessages,
            String exchange, String vhost, long maxSessionExpirySeconds, boolean perSessionMetrics,
            int sysIntervalSeconds) {
        this(allowAnonymous, anonymousUser, maxKeepalive, topicAliasMaximum, receiveMaximum, maxPacketSize,
                maxInflight, maxQueuedMessages, exchange, vhost, maxSessionExpirySeconds, perSessionMetrics,
                sysIntervalSeconds, DurableQueueType.CLASSIC);
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
