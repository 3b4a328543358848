package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.QueueSpec;

/**
 * The queue properties a replicated queue (a quorum queue, a stream) cannot have, refused as RabbitMQ 3.10's
 * {@code rabbit_queue_type_util} refuses them: auto-delete, exclusive, non-durable, in that order, with its texts.
 */
public final class ReplicatedQueueProperties {

    private ReplicatedQueueProperties() {
    }

    /** {@code what} is RabbitMQ's name of the queue: {@code queue 'q' in vhost '/'}. Throws 406 PRECONDITION_FAILED. */
    public static void check(QueueSpec spec, String what) {
        if (spec.autoDelete()) {
            throw BrokerException.preconditionFailed("invalid property 'auto-delete' for " + what);
        }
        if (spec.exclusive()) {
            throw BrokerException.preconditionFailed("invalid property 'exclusive-owner' for " + what);
        }
        if (!spec.durable()) {
            throw BrokerException.preconditionFailed("invalid property 'non-durable' for " + what);
        }
    }
}
