package dev.junction.routing;

import dev.junction.config.VhostLimits;
import dev.junction.routing.api.BrokerException;

/**
 * What a new declaration in a vhost passes before anything is created: the memory alarm, and the vhost's limits
 * (RabbitMQ's {@code max-queues}; exchanges and bindings check theirs where they are counted). No state of its own.
 */
final class DeclarationGuard {
    private final String vhost;
    private final RoutingEngine engine;

    DeclarationGuard(String vhost, RoutingEngine engine) {
        this.vhost = vhost;
        this.engine = engine;
    }

    /** The limits that apply to the vhost now (the broker may set them after the vhost was recovered). */
    VhostLimits limits() {
        return engine.quotas().vhost(vhost);
    }

    /**
     * Refuses to create anything new while the memory alarm is raised, whatever the limits say: declarations are
     * cheap to send and each one holds memory until it is deleted (the alarm is what stops the heap filling up).
     */
    void checkMemory(String what) {
        MemoryAlarm alarm = engine.memoryAlarm();
        // The alarm is also raised for disk space (which durable declarations check on their own) and by hand.
        if (alarm.raised() && (alarm.raised(MemoryAlarm.Resource.MEMORY) || !alarm.raised(MemoryAlarm.Resource.DISK))) {
            throw BrokerException.preconditionFailed("cannot declare " + what + " in vhost '" + vhost
                    + "': the memory alarm is raised, new declarations are refused until memory is freed");
        }
    }

    /** Refuses queue {@code queueName} when the vhost already has {@code queues}, its limit or more. */
    void checkQueueCount(String queueName, int queues) {
        int max = limits().maxQueues();
        if (max > 0 && queues >= max) {
            // RabbitMQ's vhost limit max-queues, and its wording.
            throw BrokerException.preconditionFailed("cannot declare queue '" + queueName
                    + "': queue limit in vhost '" + vhost + "' (" + max + ") is reached");
        }
    }
}
