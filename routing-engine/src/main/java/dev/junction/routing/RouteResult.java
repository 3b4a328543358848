package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.queue.QueueTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What routing one message found ({@link Router#route}): the queues it reaches, each with the bindings into it that
 * matched, in the order first reached; and the store writes of the copies that delayed exchanges on the way held.
 * A publisher's confirm depends on both: the queues take the message and the held copies are durable. The writes
 * travel here, with the message they belong to, so a confirm waits for exactly its own.
 */
final class RouteResult {
    private final Map<QueueTarget, List<Binding>> queues = new LinkedHashMap<>(8);
    /** Null while no delayed exchange held the message in the store. */
    private CompletableFuture<Void> held;

    /** The target queues and their matched bindings; see {@link Router}. */
    Map<QueueTarget, List<Binding>> queues() {
        return queues;
    }

    int size() {
        return queues.size();
    }

    boolean isEmpty() {
        return queues.isEmpty();
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
        PublishResult enqueued = Enqueuer.enqueue(engine, message, queues, confirm);
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
