package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.api.QueueSpec;
import java.util.Map;

/**
 * The declaration of a session's queue. A session that ends with its connection has a transient classic queue; one
 * that outlives it has a durable one, which in a cluster ({@code mqtt.durable_queue_type: quorum}, the default
 * there) is a quorum queue: its messages are replicated in the cluster's quorum groups and its subscriptions are
 * bindings in the replicated metadata, so the client resumes it on any node [MQTT-3.1.2-4, MQTT-4.1.0-1]. A broker
 * alone never asks for a quorum queue (its configuration is always {@code CLASSIC}).
 */
final class SessionQueueSpec {
    private SessionQueueSpec() {
    }

    /**
     * Past {@code max_queued_messages} the oldest go, but a connected subscriber that keeps reading slows the
     * publishers instead ({@link QueueSpec#HOLD_PUBLISHERS}): QoS 0 to it loses nothing. A quorum queue takes both
     * arguments into its definition; its replicated side applies the length limit, not the hold (docs/cluster.md,
     * "MQTT sessions").
     */
    static QueueSpec of(String queueName, boolean durable, MqttConfig config) {
        Map<String, Object> args = durable && quorum(config)
                ? Map.of("x-queue-type", "quorum", "x-max-length", (long) config.maxQueuedMessages(),
                        QueueSpec.HOLD_PUBLISHERS, true)
                : Map.of("x-max-length", (long) config.maxQueuedMessages(), QueueSpec.HOLD_PUBLISHERS, true);
        return new QueueSpec(queueName, durable, false, false, args);
    }

    /** Whether persistent sessions live in quorum queues: in a cluster, unless configured {@code classic}. */
    static boolean quorum(MqttConfig config) {
        return config.durableQueueType() == MqttConfig.DurableQueueType.QUORUM;
    }
}
