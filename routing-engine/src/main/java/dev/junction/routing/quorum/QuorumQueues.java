package dev.junction.routing.quorum;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueCounts;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.QueueKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's quorum queues in a cluster. A quorum queue is declared, replicated in the metadata log, bound and
 * deleted as a classic durable queue (its {@link Queue} object holds the definition, bindings and arguments and
 * never a message); once a {@link QuorumLog} is in use, routing and consumers reach it through its
 * {@link ReplicatedQuorumQueue} instead, whose messages are in the log. Without a cluster there is no log and a
 * quorum queue is the durable queue itself (single-node semantics, {@link QuorumArguments}).
 */
public final class QuorumQueues {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumQueues.class);
    private final RoutingEngine engine;
    private final Executor pool;
    /** The engine's timer thread: what a replicated queue's publisher hold looks at while on. */
    private final ScheduledExecutorService timers;
    private volatile QuorumLog log;
    private final Map<QueueKey, ReplicatedQuorumQueue> replicated = new ConcurrentHashMap<>();

    public QuorumQueues(RoutingEngine engine, Executor pool, ScheduledExecutorService timers) {
        this.engine = engine;
        this.pool = pool;
        this.timers = timers;
    }

    /** From now on quorum queues are replicated through {@code log} (a cluster node, once started). */
    public void replicateThrough(QuorumLog log) {
        this.log = log;
    }

    /** What routing and consumers use for {@code q}: its replicated side when it is a quorum queue in a cluster. */
    public QueueTarget target(Queue q) {
        return replicated(q).<QueueTarget>map(r -> r).orElse(q);
    }

    /** The replicated side of {@code q}, made the first time it is asked for; empty for others or alone. */
    public Optional<ReplicatedQuorumQueue> replicated(Queue q) {
        QuorumLog l = log;
        if (l == null || q == null || !QuorumArguments.requested(q.spec().arguments())) {
            return Optional.empty();
        }
        ReplicatedQuorumQueue r = replicated.get(q.key()); // the publish path: no lock when it exists
        if (r == null || !r.definedBy(q)) {
            r = replicated.compute(q.key(), (k, old) ->
                    old != null && old.definedBy(q) ? old : new ReplicatedQuorumQueue(engine, q, l, pool, timers));
        }
        return Optional.of(r);
    }

    /**
     * A client declared {@code q} again, which renews its x-expires (RabbitMQ "Queue TTL": redeclaring renews the
     * lease). A quorum queue's period is judged by its log, which only a declaration there renews: this node
     * declares it again, a log entry per redeclaration of a queue with an x-expires. A passive declaration does not
     * renew it (it only asks whether the queue is there).
     */
    public void redeclared(Queue q) {
        if (q.arguments().now().expires() != null) {
            replicated(q).ifPresent(ReplicatedQuorumQueue::limitsChanged);
        }
    }

    /**
     * This node's replica's counts of {@code q} when it is a quorum queue in a cluster (its definition holds no
     * message and no consumer), or null. Any thread; submits nothing and makes nothing, so a management listing or
     * a metrics scrape costs no log command. The replica may be behind the log by what it has not applied yet.
     */
    public QueueCounts counts(Queue q) {
        QuorumLog l = log;
        if (l == null || !QuorumArguments.requested(q.spec().arguments())) {
            return null;
        }
        String vhost = q.key().vhost();
        return new QueueCounts(Math.max(0, l.readyCount(vhost, q.name())),
                Math.max(0, l.unsettledCount(vhost, q.name())), Math.max(0, l.consumerCount(vhost, q.name())),
                Math.max(0, l.deadLetterCount(vhost, q.name())));
    }

    /** The log assigned message {@code id} to this node's {@code consumer}: deliver it. Log's apply thread. */
    public void deliver(String vhost, String name, String consumer, long id, byte[] body, int returns) {
        ReplicatedQuorumQueue r = replicated.get(new QueueKey(vhost, name));
        if (r == null) {
            QuorumLog l = log;
            if (l != null) {
                l.giveBack(vhost, name, consumer, id); // no such consumer here any more: back to the queue
            }
            return;
        }
        r.delivered(consumer, id, body, returns);
    }

    /**
     * The log checked message {@code id} out for this node's get {@code getter}, with {@code remaining} ready after
     * it: hand it to the get. Log's apply thread.
     */
    public void got(String vhost, String name, String getter, long id, byte[] body, int returns, int remaining) {
        ReplicatedQuorumQueue r = replicated.get(new QueueKey(vhost, name));
        if (r == null) {
            QuorumLog l = log;
            if (l != null) {
                l.giveBack(vhost, name, getter, id); // the get is gone with its queue object: back to the queue
            }
            return;
        }
        r.got(getter, id, body, returns, remaining);
    }

    /** A message this node's consumer returned too often left the queue: dead-letter it. Log's apply thread. */
    public void deadLetter(String vhost, String name, byte[] body, int returns) {
        ReplicatedQuorumQueue r = replicated.get(new QueueKey(vhost, name));
        if (r != null) {
            r.deadLettered(MessageCodec.decode(body), DeadLetters.DELIVERY_LIMIT);
        }
    }

    /**
     * The log dropped a message of the queue (a length limit: {@code maxlen}; x-message-ttl: {@code expired}) on a
     * command of this node's: dead-letter it. Log's apply thread.
     */
    public void dropped(String vhost, String name, byte[] body, String reason) {
        ReplicatedQuorumQueue r = replicated.get(new QueueKey(vhost, name));
        if (r != null) {
            r.deadLettered(MessageCodec.decode(body), reason);
        }
    }

    /**
     * At-least-once dead-lettering: publishes a dead letter the queue's log keeps, with confirms, as this node leads
     * its group (RabbitMQ "Quorum Queues", "Dead Lettering"). Completes with true once every target took it; false
     * when the queue is not (yet) defined on this node or the publish reached no target, and it is tried again.
     * This node may never have used the queue: its replicated side is made here. The relay's thread; never waits.
     */
    public CompletableFuture<Boolean> deadLetterConfirmed(String vhost, String name, byte[] body, int returns,
            String reason) {
        ReplicatedQuorumQueue r = replicated.get(new QueueKey(vhost, name));
        if (r == null) {
            r = engine.vhost(vhost).flatMap(v -> v.queue(name)).flatMap(this::replicated).orElse(null);
        }
        if (r == null) {
            return CompletableFuture.completedFuture(false);
        }
        return r.deadLetters().publishConfirmed(QuorumTerms.decoded(body, returns), reason);
    }

    /**
     * x-expires (RabbitMQ "Queue TTL"): the queue's log found it unused that long, on this node's expiry timer.
     * Deleted here as a client's queue.delete with if-unused is, through the metadata log and the queue's own (a
     * consumer that attached meanwhile keeps it), once for the cluster. Log's apply thread: the deletion is handed to
     * the pool and never waited for.
     */
    public void unused(String vhost, String name) {
        pool.execute(() -> {
            try {
                Engine.of(engine).vhost(vhost).ifPresent(v -> v.deleteQueueAsync(name, true, false, null)
                        .whenComplete((n, failed) -> {
                            if (failed != null) {
                                LOG.info("quorum queue '{}' in vhost '{}' unused past x-expires was not deleted: {}",
                                        name, vhost, failed.toString());
                            }
                        }));
            } catch (RuntimeException e) {
                LOG.info("quorum queue '{}' in vhost '{}' unused past x-expires was not deleted: {}", name, vhost,
                        e.toString());
            }
        });
    }

    /** A group leader detached this node's consumers while cut off from it: attach the live ones again. */
    public void reattach() {
        replicated.values().forEach(ReplicatedQuorumQueue::reattach);
    }

    /** The queue was deleted here: its replicated state goes too. */
    public void deleted(Queue q) {
        replicated(q).ifPresent(r -> {
            replicated.remove(q.key(), r);
            r.delete();
        });
    }

    /**
     * The metadata log deleted {@code q}, on every node as it applies the deletion: this node's consumers of it are
     * told, as the deleting node's are ({@link #deleted}, which also removes the queue's state from its log). Before,
     * a consumer on another node stayed attached to a queue that was gone, and got nothing from one declared again
     * under its name. Log's apply thread; submits nothing.
     */
    public void unlinked(Queue q) {
        ReplicatedQuorumQueue r = replicated.get(q.key());
        if (r != null && r.definedBy(q)) {
            r.consumersGone();
        }
    }
}
