package dev.junction.routing.api;

import dev.junction.routing.queue.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of a publish: how many queues the message was routed to (0 means unroutable: AMQP returns it
 * when mandatory) and a future that completes with true once every queue has taken it and, for a persistent
 * message in durable queues, the store has made it durable; false when a queue refused it (overflow) or the
 * write failed. Only publishes that asked for a confirmation get a meaningful future.
 *
 * <p>{@code congestedQueue} is a target queue whose mailbox is far behind its publishers, or null. The adapter
 * should stop reading the publisher's socket until {@link #whenRelieved} calls back, so that TCP holds the
 * publisher back instead of the heap filling with enqueues (credit-based flow control, as RabbitMQ does).
 */
public record PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed, Queue congestedQueue) {

    public PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed) {
        this(routedQueues, confirmed, null);
    }

    public boolean routed() {
        return routedQueues > 0;
    }

    public boolean congested() {
        return congestedQueue != null;
    }

    /** Runs {@code resume} once the congested queue has caught up; only when {@link #congested()}. */
    public void whenRelieved(Runnable resume) {
        congestedQueue.whenRelieved(resume);
    }
}
