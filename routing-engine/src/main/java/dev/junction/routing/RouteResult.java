package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.queue.QueueTarget;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What routing one message found ({@link Router#route}): the queues it reaches, each with the bindings into it that
 * matched, in the order first reached; and the store writes of the copies that delayed exchanges on the way held.
 * A publisher's confirm depends on both: the queues take the message and the held copies are durable. The writes
 * travel here, with the message they belong to, so a confirm waits for exactly its own.
 */
final class RouteResult {
    /**
     * The one queue reached while no second one is (most publishes reach one queue): kept in these two fields rather
     * than in a map made and grown per publish. {@code first} is null while no queue was reached or once
     * {@link #queues} holds them all.
     */
    private QueueTarget first;
    private List<Binding> firstMatched;
    /** All targets in the order first reached; null while at most one queue was reached. */
    private Map<QueueTarget, List<Binding>> queues;
    /** Null while no delayed exchange held the message in the store. */
    private CompletableFuture<Void> held;

    /** As {@link Map#putIfAbsent} on the targets: {@code q}'s matched bindings, or null if none yet. */
    List<Binding> putIfAbsent(QueueTarget q, List<Binding> matched) {
        if (queues == null) {
            if (first == null) {
                first = q;
                firstMatched = matched;
                return null;
            }
            if (first.equals(q)) {
                List<Binding> known = firstMatched;
                if (known == null) {
                    firstMatched = matched;
                }
                return known;
            }
        }
        return queues().putIfAbsent(q, matched);
    }

    /** As {@link Map#put} on the targets, for a queue already there. */
    void put(QueueTarget q, List<Binding> matched) {
        if (queues == null && first != null && first.equals(q)) {
            firstMatched = matched;
        } else {
            queues().put(q, matched);
        }
    }

    /** The target queues and their matched bindings (see {@link Router}), as a map the caller may change. */
    Map<QueueTarget, List<Binding>> queues() {
        if (queues == null) {
            queues = new LinkedHashMap<>(8);
            if (first != null) {
                queues.put(first, firstMatched);
                first = null;
                firstMatched = null;
            }
        }
        return queues;
    }

    /** The targets for reading only: no map is made for a single queue. */
    private Map<QueueTarget, List<Binding>> targets() {
        if (queues != null) {
            return queues;
        }
        return first == null ? Map.of() : Collections.singletonMap(first, firstMatched);
    }

    /** Drops the targets {@code keep} refuses (a publish that must reach only some of the queues it matches). */
    void retain(Predicate<QueueTarget> keep) {
        if (queues != null) {
            queues.keySet().removeIf(q -> !keep.test(q));
        } else if (first != null && !keep.test(first)) {
            first = null;
            firstMatched = null;
        }
    }

    int size() {
        return queues != null ? queues.size() : first == null ? 0 : 1;
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** Notes a held copy's store write (completed already for a copy held in memory). */
    void held(CompletableFuture<Void> written) {
        held = held == null ? written : CompletableFuture.allOf(held, written);
    }

    /** The held copies' writes, or null when nothing was held. */
    CompletableFuture<Void> heldWrites() {
        return held;
    }

    /**
     * Enqueues {@code message} on {@link #queues} ({@link Enqueuer}); the result's confirm waits for the held copies'
     * writes as well (a message that reached queues and, through an exchange-to-exchange binding, a delayed
     * exchange).
     */
    PublishResult enqueue(RoutingEngine engine, Message message, boolean confirm) {
        PublishResult enqueued = Enqueuer.enqueue(engine, message, targets(), confirm);
        if (held == null) {
            return enqueued;
        }
        return new PublishResult(enqueued.routedQueues(), enqueued.confirmed().thenCombine(heldWritten(),
                (queued, written) -> queued && written), enqueued.congested() ? enqueued::whenRelieved : null);
    }

    /**
     * The confirm of a publish that reached no queue: true once every held copy is durable (at once when none was
     * held, or held in memory), false if a store write failed.
     */
    CompletableFuture<Boolean> heldWritten() {
        return held == null ? CompletableFuture.completedFuture(true) : held.handle((ok, error) -> error == null);
    }
}
