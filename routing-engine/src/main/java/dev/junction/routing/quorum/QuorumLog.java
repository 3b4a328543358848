package dev.junction.routing.quorum;

import java.util.concurrent.CompletableFuture;

/**
 * The replicated log behind a cluster's quorum queues, as the engine uses it (the cluster module implements it;
 * docs/cluster.md, "Quorum queues"). Every call submits one command and returns a future that completes once the
 * queue's group has committed it on a majority and applied it; none blocks. What the log assigns to this node's
 * consumers comes back through {@link QuorumQueues#deliver} and {@link QuorumQueues#deadLetter}.
 */
public interface QuorumLog {

    /** An enqueue's answer when the queue's {@code reject-publish} length limit refused the message. */
    long REFUSED = -2;

    /**
     * An attachment's answer when the queue's log refused it for an exclusive consumer: the queue has one, or the
     * attachment is exclusive and the queue has a consumer (AMQP 0-9-1 basic.consume {@code exclusive}).
     */
    long IN_EXCLUSIVE_USE = -3;

    /** Creates the queue's replicated state (idempotent); {@code deliveryLimit} {@code -1}: none. */
    CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive);

    /**
     * Creates the queue's replicated state with the length limits and TTL the log enforces. By default the
     * declaration without them: a log that keeps no limits.
     */
    default CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive,
            QuorumLimits limits) {
        return declare(vhost, name, deliveryLimit, singleActive);
    }

    /** Appends a message; completes with its id (positive) once committed, or a negative number: no such queue. */
    CompletableFuture<Long> enqueue(String vhost, String name, byte[] body);

    /**
     * Appends a message whose body (the payload alone, as x-max-length-bytes counts it) is {@code size} bytes and
     * that was published at {@code publishedAt} (epoch milliseconds, for x-message-ttl: the log judges expiry from
     * this, not from each replica's clock). Completes with its id, or a negative number: no such queue, or
     * {@link #REFUSED} when a {@code reject-publish} length limit refused it (the publisher is nacked). By default
     * the enqueue without them.
     */
    default CompletableFuture<Long> enqueue(String vhost, String name, byte[] body, long size, long publishedAt) {
        return enqueue(vhost, name, body);
    }

    /** A consumer id of this node, unique in the cluster. */
    String newConsumerId();

    /** Attaches a consumer with a prefetch ({@code 0}: unlimited). */
    CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch);

    /**
     * Attaches a consumer with a prefetch ({@code 0}: unlimited) and its {@code x-priority} (RabbitMQ "Consumer
     * Priorities": the log gives messages to the highest-priority consumers with room), not exclusive.
     */
    default CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch, int priority) {
        return attach(vhost, name, consumer, prefetch, priority, false);
    }

    /**
     * Attaches a consumer with a prefetch, its {@code x-priority} and whether it is {@code exclusive} (AMQP 0-9-1
     * basic.consume: "only this consumer can access the queue"). The log decides, in its order, so every node judges
     * alike: an exclusive attachment to a queue with a consumer, or any attachment to a queue with an exclusive
     * consumer, is answered {@link #IN_EXCLUSIVE_USE} and attaches nothing. By default without priority or
     * exclusivity: a log that neither orders consumers nor refuses them.
     */
    default CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch, int priority,
            boolean exclusive) {
        return attach(vhost, name, consumer, prefetch);
    }

    /**
     * The queue's consumers and messages ({@code counted}: held, or ready only) as the log holds them at the place of
     * this request in it, so it sees every command committed before it, from any node; completes with null when the
     * log holds no such queue. By default unknown: fails, and a delete with if-unused or if-empty is refused rather
     * than judged on nothing (a declare-ok reports the replica's counts instead).
     */
    default CompletableFuture<QuorumUsage> usage(String vhost, String name, QuorumUsage.Counted counted) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this log cannot count a queue"));
    }

    /**
     * basic.get: checks the first ready message out for {@code getter} (a {@link #newConsumerId} used for this one
     * get), settled at once when {@code settled} (no-ack). Completes with the message's id, or 0 when nothing was
     * ready, or a negative number: no such queue. The message itself comes through {@link QuorumQueues#got} when
     * this node's replica applies the checkout; settle it, or give it back, as a consumer's, under {@code getter}.
     */
    CompletableFuture<Long> checkout(String vhost, String name, String getter, boolean settled);

    CompletableFuture<Long> settle(String vhost, String name, String consumer, long... ids);

    /**
     * A reject without requeue: the messages leave the consumer and are dead-lettered, reason {@code rejected}, by
     * the queue's strategy as its log holds it: kept until the target confirmed them (at least once), or published by
     * this node as the log applies the reject ({@link QuorumQueues#dropped}). By default settled, for a log that
     * keeps no dead letters (the caller then dead-letters at most once).
     */
    default CompletableFuture<Long> reject(String vhost, String name, String consumer, long... ids) {
        return settle(vhost, name, consumer, ids);
    }

    /** Returns the messages to the queue, counting a delivery each against x-delivery-limit. */
    CompletableFuture<Long> giveBack(String vhost, String name, String consumer, long... ids);

    CompletableFuture<Long> detach(String vhost, String name, String consumer, boolean returnUnsettled);

    /** Completes with the number of ready messages dropped. */
    CompletableFuture<Long> purge(String vhost, String name);

    CompletableFuture<Long> delete(String vhost, String name);

    /** Whether this node has so many commands waiting for the log that publishers should pause. */
    boolean congested();

    /** Runs {@code callback} once publishers may go on (at once when they may now). */
    void whenRelieved(Runnable callback);

    /** The queue's ready messages on this node's replica, or -1 when it holds none. */
    int readyCount(String vhost, String name);

    /** The queue's consumers on every node, as this node's replica knows them, or -1 when it holds none. */
    int consumerCount(String vhost, String name);

    /**
     * The queue's messages checked out to a consumer or a get and not settled, on this node's replica, or -1 when it
     * holds none. By default unknown: -1.
     */
    default int unsettledCount(String vhost, String name) {
        return -1;
    }

    /**
     * The queue's dead letters kept until their target confirmed them (at-least-once dead-lettering), on this node's
     * replica, or -1 when it holds none. By default unknown: -1.
     */
    default int deadLetterCount(String vhost, String name) {
        return -1;
    }
}
