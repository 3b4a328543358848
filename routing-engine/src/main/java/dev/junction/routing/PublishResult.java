package dev.junction.routing;

import java.util.concurrent.CompletableFuture;

/**
 * The outcome of a publish: how many queues the message was routed to (0 means unroutable: AMQP returns it
 * when mandatory) and a future that completes with true once every queue has taken it and, for a persistent
 * message in durable queues, the store has made it durable; false when a queue refused it (overflow) or the
 * write failed. Only publishes that asked for a confirmation get a meaningful future.
 */
public record PublishResult(int routedQueues, CompletableFuture<Boolean> confirmed) {
    public boolean routed() {
        return routedQueues > 0;
    }
}
