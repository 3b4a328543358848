package dev.junction.routing.api;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The outcome of a publish: how many queues the message was routed to (0 means unroutable: AMQP returns it
 * when mandatory) and a future that completes with true once every queue has taken it and, for a persistent
 * message in durable queues, the store has made it durable; false when a queue refused it (overflow) or the
 * write failed. Only publishes that asked for a confirmation get a meaningful future.
 *
 * <p>{@link #congested()} says that a target queue's mailbox is far behind its publishers. The adapter should
 * stop reading the publisher's socket until {@link #whenRelieved} calls back, so that TCP holds the publisher
 * back instead of the heap filling with enqueues (credit-based flow control, as RabbitMQ does). Which queue it
 * is stays inside the engine: an adapter only learns when to resume.
 */
public final class PublishResult {
    private final int routedQueues;
    private final CompletableFuture<Boolean> confirmed;
    /** Registers a callback for when the congested queue caught up; null when nothing is congested. */
    private final Consumer<Runnable> relief;
    /** Where a connection this result holds back is counted; null: nowhere. */
    private final PublisherHolds holds;

    public PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed) {
        this(routedQueues, confirmed, null);
    }

    /** @param relief registers a callback run once the congested target caught up; null when none is congested */
    public PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed, Consumer<Runnable> relief) {
        this(routedQueues, confirmed, relief, null);
    }

    private PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed, Consumer<Runnable> relief,
                          PublisherHolds holds) {
        this.routedQueues = routedQueues;
        this.confirmed = Objects.requireNonNull(confirmed, "confirmed");
        this.relief = relief;
        this.holds = holds;
    }

    /** This result, counting the connection it holds back (if it is {@link #congested()}) in {@code holds}. */
    public PublishResult countingHoldsIn(PublisherHolds holds) {
        return relief == null ? this : new PublishResult(routedQueues, confirmed, relief, holds);
    }

    /** Where a connection held back by this result is counted; null: nowhere. */
    PublisherHolds holds() {
        return holds;
    }

    public int routedQueues() {
        return routedQueues;
    }

    public CompletableFuture<Boolean> confirmed() {
        return confirmed;
    }

    public boolean routed() {
        return routedQueues > 0;
    }

    public boolean congested() {
        return relief != null;
    }

    /** Runs {@code resume} once the congested queue has caught up; only when {@link #congested()}. */
    public void whenRelieved(Runnable resume) {
        if (relief == null) {
            throw new IllegalStateException("no congested target");
        }
        relief.accept(resume);
    }

    @Override
    public String toString() {
        return "PublishResult[routedQueues=" + routedQueues + ", congested=" + congested() + "]";
    }
}
