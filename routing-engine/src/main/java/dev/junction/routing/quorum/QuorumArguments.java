package dev.junction.routing.quorum;

import dev.junction.routing.ReplicatedQueueProperties;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.QueueArguments;
import java.util.List;
import java.util.Map;

/**
 * A quorum queue's declaration ({@code x-queue-type: quorum}), checked as RabbitMQ 3.10 checks it ("Quorum Queues",
 * "Feature Comparison"): arguments a quorum queue cannot have are refused first, then the properties it cannot
 * have, in {@code rabbit_queue_type_util}'s order (auto-delete, exclusive, non-durable), with RabbitMQ's texts.
 * The rest are a classic queue's arguments ({@link QueueArguments}), which the queue applies as a classic queue
 * does: {@code x-delivery-limit}, dead-lettering, single active consumer, length limits ({@code x-overflow}
 * {@code drop-head} or {@code reject-publish}: {@code reject-publish-dlx} is refused).
 *
 * <p>Without a cluster a quorum queue is a durable queue on the node's own store with these rules (RabbitMQ runs
 * one as a group of one member); in a cluster the cluster module replicates it (docs/cluster.md, "Quorum queues").
 */
public final class QuorumArguments {
    /** The queue type's name in {@code x-queue-type}. */
    public static final String TYPE = "quorum";
    /** How many nodes hold the queue (RabbitMQ's default: every node of the cluster). */
    public static final String INITIAL_GROUP_SIZE = "x-quorum-initial-group-size";
    /** Arguments RabbitMQ 3.10 refuses on a quorum queue: priorities and lazy mode are classic-only. */
    private static final List<String> REFUSED = List.of("x-max-priority", "x-queue-mode");
    /** The overflow mode a quorum queue does not have. */
    private static final String REJECT_PUBLISH_DLX = "reject-publish-dlx";

    private QuorumArguments() {
    }

    /** Whether the declaration asks for a quorum queue. */
    public static boolean requested(Map<String, Object> args) {
        return TYPE.equals(HeaderValues.asString(args.get("x-queue-type")));
    }

    /**
     * The arguments of a declaration; for a quorum queue after its own checks. {@code what} is RabbitMQ's name of
     * the queue: {@code queue 'q' in vhost '/'}. Throws 406 PRECONDITION_FAILED.
     */
    public static QueueArguments parse(QueueSpec spec, String what) {
        Map<String, Object> args = spec.arguments();
        if (requested(args)) {
            check(spec, what);
        }
        return QueueArguments.parse(args, what);
    }

    private static void check(QueueSpec spec, String what) {
        Map<String, Object> args = spec.arguments();
        for (String key : REFUSED) {
            if (args.containsKey(key)) {
                throw BrokerException.preconditionFailed("invalid arg '" + key + "' for " + what);
            }
        }
        // Quorum queues overflow by drop-head or reject-publish only (RabbitMQ "Quorum Queues", feature matrix);
        // refused rather than quietly treated as drop-head, which would drop the oldest messages where the
        // application asked for the newest to be refused.
        if (REJECT_PUBLISH_DLX.equals(HeaderValues.asString(args.get("x-overflow")))) {
            throw BrokerException.preconditionFailed("invalid arg 'x-overflow' for " + what
                    + ": a quorum queue has no reject-publish-dlx");
        }
        if (args.containsKey(INITIAL_GROUP_SIZE)) {
            Object size = args.get(INITIAL_GROUP_SIZE);
            if (!HeaderValues.isInteger(size) || ((Number) size).longValue() < 1) {
                throw BrokerException.preconditionFailed("invalid arg '" + INITIAL_GROUP_SIZE + "' for " + what);
            }
        }
        ReplicatedQueueProperties.check(spec, what);
    }
}
