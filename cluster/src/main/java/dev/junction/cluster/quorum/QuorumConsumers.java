package dev.junction.cluster.quorum;

import java.util.concurrent.CompletableFuture;

/**
 * This node's side of its quorum queues' consumers and dead-lettering: what a {@link QuorumNode} calls when its
 * replica of a group applies an assignment to one of this node's consumers, or a message that one of them
 * returned too often leaves its queue. Called on the group's apply thread: hand over and return at once (the
 * engine's delivery sinks do).
 */
public interface QuorumConsumers {

    /**
     * Message {@code id} of quorum queue {@code name} is {@code consumer}'s to deliver; {@code returns} is how often
     * it was returned before (0: a first delivery; more: a redelivery with {@code x-delivery-count}).
     */
    void deliver(String vhost, String name, String consumer, long id, byte[] body, int returns);

    /**
     * basic.get: message {@code id} of quorum queue {@code name} was checked out for {@code getter}, a get of this
     * node waiting for it; {@code remaining} messages are ready after it (get-ok's message-count). A getter this
     * node no longer waits for gives the message back.
     */
    default void got(String vhost, String name, String getter, long id, byte[] body, int returns, int remaining) {
        deliver(vhost, name, getter, id, body, returns);
    }

    /** The message left the queue past its x-delivery-limit: publish it to the queue's dead-letter exchange. */
    void deadLetter(String vhost, String name, byte[] body, int returns);

    /**
     * The queue dropped a message on a command of this node's (a length limit under drop-head: reason {@code
     * maxlen}; x-message-ttl: {@code expired}): publish it to the queue's dead-letter exchange, if it has one.
     */
    default void dropped(String vhost, String name, byte[] body, String reason) {
    }

    /**
     * At-least-once dead-lettering (RabbitMQ "Quorum Queues", "Dead Lettering"): publish a dead letter of quorum
     * queue {@code name}, dropped for {@code reason} after {@code returns} returns, to the queue's dead-letter
     * exchange with publisher confirms. Completes with true once every queue it routes to has taken it (durably, for
     * a persistent message), false when it cannot be (no such exchange, no queue bound, a target refused it): the
     * message stays in the queue and is tried again. Called on this node's relay thread, which must not wait. By
     * default it cannot be published.
     */
    default CompletableFuture<Boolean> deadLetterConfirmed(String vhost, String name, byte[] body, int returns,
            String reason) {
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Quorum queue {@code name} has been unused for its x-expires (RabbitMQ "Queue TTL"), found by this node's
     * expiry timer: delete it, unless a consumer came meanwhile. Return at once; the deletion goes on elsewhere.
     */
    default void unused(String vhost, String name) {
    }

    /**
     * A group leader detached this node's consumers while it did not hear from the node: attach every live one
     * again (its unsettled deliveries were returned to the queue and will be delivered again).
     */
    default void reattach() {
    }
}
