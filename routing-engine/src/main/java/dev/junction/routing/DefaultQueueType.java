package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.quorum.QuorumArguments;

/**
 * The type a cluster gives a queue declared without {@code x-queue-type} ({@code cluster.default_queue_type},
 * docs/cluster.md "Default queue type"), as RabbitMQ's default queue type does (RabbitMQ "Virtual Hosts", "Default
 * Queue Type"; {@code rabbit_amqqueue:augment_declare_args}): a declaration that names no type and is durable, not
 * exclusive and not auto-delete gets the default; any other (a transient, exclusive or auto-delete queue, which a
 * quorum queue cannot be) stays classic, a queue of its node. The rule is applied once, where a cluster node
 * commits a new queue's definition ({@link CommittedDeclarations}), so the metadata log carries the type and every
 * node, and every restart, makes the same queue; a broker alone has no log and never asks this class.
 *
 * <p>A declaration whose arguments a quorum queue refuses ({@code x-max-priority}, {@code x-queue-mode},
 * {@code x-overflow: reject-publish-dlx}) is refused with 406, as RabbitMQ refuses it under a quorum default (the
 * default type is added before the type's argument checks; the fallback to classic looks only at durable, exclusive
 * and auto-delete): it does not quietly stay classic, which would split its messages across nodes again.
 *
 * <p>An existing queue keeps its type: a redeclaration without {@code x-queue-type} is checked as asking for the
 * queue's own type, and {@code classic} asks for what a queue declared without a type is ({@link #asExisting}).
 */
public enum DefaultQueueType {
    /** Queues without a type stay classic, as on a broker alone. */
    CLASSIC,
    /** Durable queues without a type are quorum queues, replicated and reached from every node. */
    QUORUM;

    private static final String TYPE = "x-queue-type";
    private static final String CLASSIC_TYPE = "classic";

    /**
     * The declaration of a new queue with the default applied; throws 406 PRECONDITION_FAILED when the default made
     * it a quorum queue that its arguments cannot be. {@code what} is RabbitMQ's name of the queue.
     */
    QueueSpec forNew(QueueSpec spec, String what) {
        if (this == CLASSIC || spec.arguments().containsKey(TYPE) || !spec.durable() || spec.exclusive()
                || spec.autoDelete()) {
            return spec;
        }
        QueueSpec quorum = spec.withArgument(TYPE, QuorumArguments.TYPE);
        try {
            QuorumArguments.parse(quorum, what);
        } catch (BrokerException refused) {
            throw BrokerException.preconditionFailed(refused.getMessage() + " (declared without x-queue-type, a "
                    + "durable queue is a quorum queue in this cluster, cluster.default_queue_type; declare "
                    + "x-queue-type classic for a queue of one node)");
        }
        return quorum;
    }

    /**
     * A redeclaration of an existing queue as the equivalence check should see it: without {@code x-queue-type} it
     * asks for the queue's own type, and {@code classic} matches a classic queue declared without one.
     */
    static QueueSpec asExisting(QueueSpec requested, QueueSpec current) {
        Object asked = requested.arguments().get(TYPE);
        Object has = current.arguments().get(TYPE);
        if (asked == null && has != null) {
            return requested.withArgument(TYPE, has);
        }
        if (has == null && CLASSIC_TYPE.equals(HeaderValues.asString(asked))) {
            java.util.Map<String, Object> args = new java.util.LinkedHashMap<>(requested.arguments());
            args.remove(TYPE);
            return new QueueSpec(requested.name(), requested.durable(), requested.exclusive(), requested.autoDelete(),
                    args);
        }
        return requested;
    }
}
