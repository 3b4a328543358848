package dev.junction.cluster.quorum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Republishes the dead letters of this node's quorum queues with at-least-once dead-lettering (RabbitMQ "Quorum
 * Queues", "Dead Lettering": at-least-once) while this node leads their group, and settles each in the log once its
 * target confirmed it.
 *
 * <p>Every replica tells the relay what its queues hold pending ({@link PendingDeadLetters}), as it applies the log,
 * so a node that becomes leader knows what is left and republishes all of it: a message whose confirm or settle was
 * lost with the old leader arrives twice, none is lost. Only the leader republishes, so in a steady group each
 * message goes once. A publish that is refused (no dead-letter exchange, it routes to no queue, a target refused it
 * or did not answer within the confirm timeout, {@code cluster.dead_letter_confirm_timeout_ms}, by default
 * {@value #CONFIRM_TIMEOUT_MS} ms) is tried again after the retry interval ({@code cluster.dead_letter_retry_ms}, by
 * default {@value #RETRY_MS} ms), for as long as the message is pending, as RabbitMQ retries. While a queue's dead
 * letters are refused, one of them probes every interval and the others wait for it to go through, so a large
 * backlog with no target costs one publish per interval, not one per message. At most {@value #IN_FLIGHT}
 * publishes of a group are unconfirmed at once, so a new leader with a large backlog does not flood its targets.
 *
 * <p>Everything here runs on one daemon thread of its own, which never waits: the apply threads hand their news
 * over, the publish and the settle are futures whose completions come back to this thread.
 */
final class DeadLetterRelay implements AutoCloseable {
    /** Publishes a dead letter to its queue's dead-letter exchange; true once every target confirmed it. */
    interface Publisher {
        CompletableFuture<Boolean> publish(String queue, PendingDeadLetter message);
    }

    /** Proposes the settle of a queue's confirmed dead letters to its group's log. */
    interface Settler {
        CompletableFuture<Long> settle(RaftGroupId group, String queue, long[] ids);
    }

    /** By default, how long a refused or failed republish waits before it is tried again. */
    static final long RETRY_MS = 3_000;
    /** By default, how long a republish may wait for its targets' confirm before it counts as refused. */
    static final long CONFIRM_TIMEOUT_MS = 30_000;
    /** Unconfirmed republishes of one group at once. */
    static final int IN_FLIGHT = 64;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRelay.class);

    private record Key(String queue, long id) {
    }

    /** One group's pending dead letters as its replica here applied them, and this node's republishes. */
    private static final class Group {
        final Map<String, TreeMap<Long, PendingDeadLetter>> pending = new HashMap<>();
        final ArrayDeque<Key> toSend = new ArrayDeque<>();
        final Set<Key> inFlight = new HashSet<>();
        /** Queues whose last republish was refused: logged once until one goes through. */
        final Set<String> failing = new HashSet<>();
        /** Of each failing queue, the dead letters refused after its probe, waiting for the probe to go through. */
        final Map<String, List<Key>> parked = new HashMap<>();
        /** Of each failing queue, the one dead letter retried every interval for all of them. */
        final Map<String, Key> probes = new HashMap<>();
        boolean leading;
        /** What this group adds to {@link #pendingLed}: its pending count while this node leads it, else 0. */
        int counted;

        PendingDeadLetter get(Key k) {
            TreeMap<Long, PendingDeadLetter> q = pending.get(k.queue());
            return q == null ? null : q.get(k.id());
        }

        int size() {
            return pending.values().stream().mapToInt(Map::size).sum();
        }

        void queueAll() {
            pending.forEach((queue, messages) -> messages.keySet().forEach(id -> toSend.add(new Key(queue, id))));
        }
    }

    private final Publisher publisher;
    private final Settler settler;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<RaftGroupId, Group> groups = new HashMap<>();
    private final long retryMs;
    private final long confirmTimeoutMs;
    /** The sum of the groups' {@link Group#counted}: written by the relay's thread only, read by a scrape. */
    private volatile long pendingLed;

    /** With the default retry interval and confirm timeout. */
    DeadLetterRelay(Publisher publisher, Settler settler) {
        this(publisher, settler, RETRY_MS, CONFIRM_TIMEOUT_MS, ownThread());
    }

    /** {@code thread}: the relay's own, of one thread, which it shuts down when closed. */
    DeadLetterRelay(Publisher publisher, Settler settler, long retryMs, long confirmTimeoutMs,
                    ScheduledThreadPoolExecutor thread) {
        this.publisher = publisher;
        this.settler = settler;
        this.retryMs = retryMs;
        this.confirmTimeoutMs = confirmTimeoutMs;
        this.thread = thread;
    }

    private static ScheduledThreadPoolExecutor ownThread() {
        return new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "junction-quorum-dead-letters");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The relay of a node: it publishes through {@code consumers} (the node's engine) and settles through {@code
     * submit} (the node's submitter), in commands of node incarnation {@code incarnation}, retrying and timing
     * confirms out as {@code settings} say.
     */
    static DeadLetterRelay of(QuorumConsumers consumers,
            BiFunction<RaftGroupId, QuorumCommand, CompletableFuture<Long>> submit, String incarnation,
            QuorumSettings settings) {
        return new DeadLetterRelay((queue, m) -> {
            int nul = queue.indexOf('\0');
            return consumers.deadLetterConfirmed(queue.substring(0, nul), queue.substring(nul + 1), m.body(),
                    m.returns(), m.why().reason());
        }, (group, queue, ids) -> submit.apply(group,
                QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, queue, incarnation, 0, ids)),
                settings.deadLetterRetry().toMillis(), settings.deadLetterConfirmTimeout().toMillis(), ownThread());
    }

    /** What group {@code id}'s replica tells the relay; each call returns at once. */
    QuorumEffects forGroup(RaftGroupId id) {
        return new QuorumEffects() {
            @Override
            public void delivered(String queue, String consumer, long msg, byte[] body, int returns) {
            }

            @Override
            public void deadLettered(String queue, String consumer, byte[] body, int returns) {
            }

            @Override
            public void deadLetterPending(String queue, PendingDeadLetter message) {
                run(() -> added(id, queue, message));
            }

            @Override
            public void deadLettersSettled(String queue, long[] ids) {
                run(() -> settled(id, queue, ids));
            }

            @Override
            public void deadLettersReplaced(String queue, List<PendingDeadLetter> pending) {
                run(() -> replaced(id, queue, pending));
            }

            @Override
            public void deadLettersRestored() {
                run(() -> {
                    group(id).pending.clear();
                    recount(group(id));
                });
            }

            @Override
            public void leading(boolean leading) {
                run(() -> leadingChanged(id, leading));
            }
        };
    }

    /** The dead letters this relay knows pending, over every group; for tests. Waits for the relay's thread. */
    int pending() throws Exception {
        return thread.submit(() -> groups.values().stream().mapToInt(Group::size).sum())
                .get(10, TimeUnit.SECONDS);
    }

    /**
     * The dead letters pending in the groups this node leads, as this relay has been told (a replica's news reaches
     * it a moment after the apply). Only the leader's share: every replica holds the same set, so a sum over the
     * cluster's nodes is the cluster's total. Does not wait: a metrics scrape reads it.
     */
    long pendingLed() {
        return pendingLed;
    }

    /** Brings {@link #pendingLed} up to date with {@code g}'s pending set and lead; on the relay's thread. */
    private void recount(Group g) {
        int now = g.leading ? g.size() : 0;
        pendingLed += now - g.counted;
        g.counted = now;
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closing: the log keeps what is pending, for the next leader
        }
    }

    private Group group(RaftGroupId id) {
        return groups.computeIfAbsent(id, g -> new Group());
    }

    private void added(RaftGroupId id, String queue, PendingDeadLetter m) {
        Group g = group(id);
        g.pending.computeIfAbsent(queue, q -> new TreeMap<>()).put(m.id(), m);
        recount(g);
        if (g.leading) {
            g.toSend.add(new Key(queue, m.id()));
            pump(id, g);
        }
    }

    private void settled(RaftGroupId id, String queue, long[] ids) {
        TreeMap<Long, PendingDeadLetter> q = group(id).pending.get(queue);
        if (q == null) {
            return;
        }
        for (long msg : ids) {
            q.remove(msg);
        }
        if (q.isEmpty()) {
            group(id).pending.remove(queue);
        }
        recount(group(id));
    }

    private void replaced(RaftGroupId id, String queue, List<PendingDeadLetter> messages) {
        Group g = group(id);
        g.pending.remove(queue);
        if (messages.isEmpty()) {
            recount(g);
            return;
        }
        TreeMap<Long, PendingDeadLetter> q = new TreeMap<>();
        messages.forEach(m -> q.put(m.id(), m));
        g.pending.put(queue, q);
        recount(g);
        if (g.leading) {
            q.keySet().forEach(m -> g.toSend.add(new Key(queue, m)));
            pump(id, g);
        }
    }

    /**
     * A new leader here republishes everything pending: the old leader's confirms and settles in flight are lost
     * with it (RabbitMQ's at-least-once: a message may arrive twice, never not at all).
     */
    private void leadingChanged(RaftGroupId id, boolean leading) {
        Group g = group(id);
        if (g.leading == leading) {
            return;
        }
        g.leading = leading;
        recount(g);
        g.toSend.clear();
        g.parked.clear(); // a new lead publishes everything pending again; a lost one publishes nothing
        g.probes.clear();
        g.failing.clear();
        if (leading) {
            int n = g.size();
            if (n > 0) {
                LOG.info("quorum group {}: leading here, republishing {} pending dead letters", id, n);
            }
            g.queueAll();
            pump(id, g);
        }
    }

    /** Starts republishes while there is room, skipping what was settled or is already on its way. */
    private void pump(RaftGroupId id, Group g) {
        while (g.leading && g.inFlight.size() < IN_FLIGHT && !g.toSend.isEmpty()) {
            Key k = g.toSend.poll();
            PendingDeadLetter m = g.get(k);
            if (m == null || !g.inFlight.add(k)) {
                continue;
            }
            CompletableFuture<Boolean> confirmed;
            try {
                confirmed = publisher.publish(k.queue(), m);
            } catch (RuntimeException e) {
                confirmed = CompletableFuture.failedFuture(e);
            }
            confirmed.orTimeout(confirmTimeoutMs, TimeUnit.MILLISECONDS)
                    .whenComplete((ok, e) -> run(() -> published(id, g, k, Boolean.TRUE.equals(ok) && e == null, e)));
        }
    }

    private void published(RaftGroupId id, Group g, Key k, boolean confirmed, Throwable e) {
        if (!confirmed) {
            g.inFlight.remove(k);
            if (!g.failing.add(k.queue())) {
                if (!probing(g, k)) {
                    // Another one of the queue probes: this one follows when it goes through.
                    g.parked.computeIfAbsent(k.queue(), q -> new ArrayList<>()).add(k);
                    pump(id, g);
                    return;
                }
            } else {
                LOG.info("quorum queue '{}': a dead letter was not confirmed by its target ({}); it stays in the "
                        + "queue and is tried again every {} ms", k.queue().replace('\0', '/'),
                        e == null ? "no dead-letter exchange, no queue bound, or refused" : e.toString(), retryMs);
            }
            later(id, g, k, true);
            pump(id, g);
            return;
        }
        if (g.failing.remove(k.queue())) {
            LOG.info("quorum queue '{}': dead letters reach their target again", k.queue().replace('\0', '/'));
            release(g, k.queue());
        }
        CompletableFuture<Long> settle;
        try {
            settle = settler.settle(id, k.queue(), new long[] {k.id()});
        } catch (RuntimeException failed) {
            settle = CompletableFuture.failedFuture(failed);
        }
        // In flight until settled, or the next pass would publish it again while its settle is still on its way.
        settle.whenComplete((n, failed) -> run(() -> {
            g.inFlight.remove(k);
            if (failed != null) {
                LOG.debug("quorum queue '{}': settling a confirmed dead letter failed; it is published again",
                        k.queue().replace('\0', '/'), failed);
                later(id, g, k, false);
            }
            pump(id, g);
        }));
    }

    /** Whether {@code k} is the probe of its failing queue: the first of its refused ones since it started failing. */
    private static boolean probing(Group g, Key k) {
        return !g.probes.containsKey(k.queue()) || g.probes.get(k.queue()).equals(k);
    }

    /** The queue's parked dead letters go out again (its probe went through, or is no longer pending). */
    private static void release(Group g, String queue) {
        g.probes.remove(queue);
        List<Key> waiting = g.parked.remove(queue);
        if (waiting != null) {
            g.toSend.addAll(waiting);
        }
    }

    /**
     * Queues {@code k} again after the retry interval, if this node still leads and it is still pending. As its
     * failing queue's probe ({@code probe}), one that was settled meanwhile hands the probe to those parked behind it.
     */
    private void later(RaftGroupId id, Group g, Key k, boolean probe) {
        if (probe) {
            g.probes.putIfAbsent(k.queue(), k);
        }
        try {
            thread.schedule(() -> {
                if (!g.leading) {
                    return;
                }
                if (g.get(k) != null) {
                    g.toSend.add(k);
                } else if (k.equals(g.probes.get(k.queue()))) {
                    release(g, k.queue());
                }
                pump(id, g);
            }, retryMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
