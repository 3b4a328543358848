package dev.junction.routing;

import dev.junction.routing.queue.Queue;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A vhost's exclusive queues by the connection that owns them, so that closing a connection finds its queues in
 * O(its own queues) instead of walking every queue of the vhost (AMQP {@code exclusive}: the queue is deleted when
 * its declaring connection closes).
 *
 * <p>Owners are compared by identity, as {@link Queue#exclusiveOwner()} is. Not thread-safe: the vhost changes and
 * reads it under its lock, in the same steps that add a queue to its queue map and remove one from it.
 */
final class ExclusiveQueues {
    private final Map<Object, Set<Queue>> byOwner = new IdentityHashMap<>();

    /** {@code q} was added to the vhost; indexed if it has an exclusive owner. */
    void added(Queue q) {
        if (q.exclusiveOwner() != null) {
            byOwner.computeIfAbsent(q.exclusiveOwner(), o -> new LinkedHashSet<>()).add(q);
        }
    }

    /** {@code q} left the vhost (deleted, retired or with its owner). */
    void removed(Queue q) {
        Set<Queue> owned = q.exclusiveOwner() == null ? null : byOwner.get(q.exclusiveOwner());
        if (owned != null && owned.remove(q) && owned.isEmpty()) {
            byOwner.remove(q.exclusiveOwner());
        }
    }

    /** The queues {@code owner} still holds, in declaration order; the owner leaves the index. */
    List<Queue> release(Object owner) {
        Set<Queue> owned = byOwner.remove(owner);
        return owned == null ? List.of() : List.copyOf(owned);
    }

    /** How many connections hold exclusive queues now. */
    int owners() {
        return byOwner.size();
    }
}
