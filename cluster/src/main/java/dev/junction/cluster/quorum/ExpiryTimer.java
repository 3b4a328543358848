package dev.junction.cluster.quorum;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires an idle quorum queue's messages on time. A replica drops the messages that outlived x-message-ttl when it
 * applies a command of their queue; without one (nobody publishes or consumes) they would stay ready, and be
 * dead-lettered only at the next command. RabbitMQ's quorum queues expire on a timer instead: a message is
 * expired once it reaches the head of the queue and its TTL has passed ("Time-To-Live and Expiration"), whether or
 * not the queue is used meanwhile.
 *
 * <p>So every replica reports when its queues' heads expire ({@link HeadExpiries}, from the state machine after
 * each entry), and on the node that leads the queue's group one timer per queue waits for that time, by this
 * node's clock, then proposes {@link QuorumCommand.Op#EXPIRE} through the log. The entry carries the leader's clock
 * (a timed batch): every replica expires the same messages when it applies it, judged by the logged time alone,
 * and this node, whose incarnation the command names, dead-letters them once for the cluster. Only the leader
 * proposes, so there is one command per expiry, not one per member; a follower keeps the times, for when it leads.
 *
 * <p>The time a replica reports for a queue is also when it falls unused past its x-expires ({@link
 * QuorumQueueState#nextDueAt}): the same expire command then asks this node to delete the queue (RabbitMQ "Queue
 * TTL"), so a queue with no message left still goes on time.
 *
 * <p>At most one timer per queue is pending: a head that changes replaces it, a queue whose head no longer expires
 * (emptied, deleted) cancels it, and losing the lead cancels them all. Everything here runs on one daemon thread
 * of its own, which never waits: the apply threads and Ratis's notifications only hand their news over.
 */
final class ExpiryTimer implements AutoCloseable {
    /** Proposes an expiry of {@code queue} to {@code group}'s log. */
    interface Proposer {
        CompletableFuture<Long> expire(RaftGroupId group, String queue);
    }

    /** What one group's replica tells the timer; each call returns at once. */
    interface HeadExpiries {
        /** Queue key to when its head expires (epoch milliseconds), or -1: nothing of it expires any more. */
        void heads(Map<String, Long> changed);

        /** Whether this node now leads the group. */
        void leading(boolean leading);

        HeadExpiries NONE = new HeadExpiries() {
            @Override
            public void heads(Map<String, Long> changed) {
            }

            @Override
            public void leading(boolean leading) {
            }
        };
    }

    /** How long a proposal that failed, or expired nothing although due, waits before it is made again. */
    static final long RETRY_MS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryTimer.class);

    private record Pending(long at, ScheduledFuture<?> future) {
    }

    /** One group's head expiry times and this node's timers for them. The timer thread only. */
    private static final class Group {
        final Map<String, Long> heads = new HashMap<>();
        final Map<String, Pending> timers = new HashMap<>();
        boolean leading;
    }

    private final LongSupplier clock;
    private final Proposer proposer;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<RaftGroupId, Group> groups = new HashMap<>();

    ExpiryTimer(LongSupplier clock, Proposer proposer) {
        this.clock = clock;
        this.proposer = proposer;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "junction-quorum-expiry");
            t.setDaemon(true);
            return t;
        });
        // A consumed head replaces its queue's timer at every delivery: a cancelled one must not wait out its delay.
        thread.setRemoveOnCancelPolicy(true);
    }

    /** What group {@code id}'s replica reports to. */
    HeadExpiries forGroup(RaftGroupId id) {
        return new HeadExpiries() {
            @Override
            public void heads(Map<String, Long> changed) {
                run(() -> headsChanged(id, changed));
            }

            @Override
            public void leading(boolean leading) {
                run(() -> leadingChanged(id, leading));
            }
        };
    }

    /** The timers pending now, over every group; for tests. Waits for the timer thread. */
    int pending() throws Exception {
        return thread.submit(() -> groups.values().stream().mapToInt(g -> g.timers.size()).sum())
                .get(10, TimeUnit.SECONDS);
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closing: no more timers
        }
    }

    private Group group(RaftGroupId id) {
        return groups.computeIfAbsent(id, g -> new Group());
    }

    private void headsChanged(RaftGroupId id, Map<String, Long> changed) {
        Group g = group(id);
        changed.forEach((queue, at) -> {
            if (at < 0) {
                g.heads.remove(queue);
                cancel(g, queue);
            } else {
                g.heads.put(queue, at);
                if (g.leading) {
                    arm(id, g, queue, at, 0);
                }
            }
        });
    }

    private void leadingChanged(RaftGroupId id, boolean leading) {
        Group g = group(id);
        g.leading = leading;
        if (leading) {
            g.heads.forEach((queue, at) -> arm(id, g, queue, at, 0));
        } else {
            g.timers.values().forEach(p -> p.future().cancel(false));
            g.timers.clear();
        }
    }

    /** Makes the queue's one timer fire at {@code at}, or {@code notBefore} ms from now if later. */
    private void arm(RaftGroupId id, Group g, String queue, long at, long notBefore) {
        Pending before = g.timers.get(queue);
        if (before != null && before.at() == at) {
            return;
        }
        cancel(g, queue);
        long delay = Math.max(at - clock.getAsLong(), notBefore);
        try {
            g.timers.put(queue, new Pending(at, thread.schedule(() -> fire(id, g, queue, at), delay,
                    TimeUnit.MILLISECONDS)));
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    private static void cancel(Group g, String queue) {
        Pending p = g.timers.remove(queue);
        if (p != null) {
            p.future().cancel(false);
        }
    }

    private void fire(RaftGroupId id, Group g, String queue, long at) {
        Pending p = g.timers.get(queue);
        if (p == null || p.at() != at) {
            return; // replaced or cancelled meanwhile
        }
        g.timers.remove(queue);
        if (!g.leading || !Long.valueOf(at).equals(g.heads.get(queue))) {
            return;
        }
        CompletableFuture<Long> proposed;
        try {
            proposed = proposer.expire(id, queue);
        } catch (RuntimeException e) {
            proposed = CompletableFuture.failedFuture(e);
        }
        proposed.whenComplete((expired, e) -> run(() -> proposed(id, g, queue, at, expired, e)));
    }

    /**
     * The proposal was answered. Once applied, a head that moved on was reported and its timer armed; one still at
     * the same time (the proposal failed, or a clock went back) is tried again after {@value #RETRY_MS} ms, so a
     * queue never waits for a command that will not come, nor asks more often than that.
     */
    private void proposed(RaftGroupId id, Group g, String queue, long at, Long expired, Throwable e) {
        if (e != null) {
            LOG.debug("quorum queue '{}': expiring its head failed; trying again", queue.replace('\0', '/'), e);
        }
        if (g.leading && Long.valueOf(at).equals(g.heads.get(queue)) && !g.timers.containsKey(queue)) {
            arm(id, g, queue, at, RETRY_MS);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
