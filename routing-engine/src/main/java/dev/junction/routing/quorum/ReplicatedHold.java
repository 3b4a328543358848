package dev.junction.routing.quorum;

import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The length-limit hold of a replicated quorum queue declared with {@code x-junction-hold-publishers} (an MQTT
 * persistent session's queue in a cluster): while its consumers fall behind but keep taking messages, this node's
 * publishers to it pause (their sockets are not read, so TCP slows the clients) before {@code x-max-length} drops a
 * message from the head that a connected, reading subscriber would have taken (MQTT QoS 0 to a subscriber slower
 * than its publishers [MQTT-4.5.0-1]). The rule is a classic queue's ({@code queue.PublisherBrake}): the hold starts
 * at half the limit and ends at a quarter, when the queue has no consumer, or when its consumers took nothing for
 * {@value #STALL_MILLIS} ms (a subscriber that stopped reading: the queue then fills and drops from the head as for
 * an offline session).
 *
 * <p>After such a stall no hold starts for a while: a classic queue waits until its consumers take a message again,
 * which it counts; a replica sees only its ready count, which the publishers raise while a consumer takes. So the
 * free time doubles with each stall in a row, from {@value #STALL_MILLIS} ms up to {@value #MAX_FREE_MILLIS} ms, and a
 * hold that ends by its consumers catching up starts the count again: a stuck subscriber holds its publishers for
 * a second now and then, a slow one that reads again is protected again within that time.
 *
 * <p>Each node judges for its own publishers from its own replica: the ready messages as applied here, plus this
 * node's enqueues not yet committed ({@code pending}), which a fast publisher has already sent on, as a classic
 * queue counts its mailbox. A consumer on another node shows here as the ready count going down. Nothing in the log
 * calls back on this node when that happens, so while a hold is on it is looked at every {@value #POLL_MILLIS} ms on
 * the engine's timer thread; without a hold this costs one comparison per publish.
 *
 * <p>{@link #congested} and {@link #whenRelieved} run on publishers' threads, the look on the timer thread;
 * the state is guarded by this object (a few fields, held for a comparison).
 */
final class ReplicatedHold {
    static final long POLL_MILLIS = 10;
    static final long STALL_MILLIS = 1_000;
    static final long MAX_FREE_MILLIS = 60_000;

    private final LongSupplier limit;
    private final IntSupplier ready;
    private final IntSupplier consumers;
    private final IntSupplier pending;
    private final ScheduledExecutorService timers;

    // Guarded by this.
    private boolean held;
    private List<Runnable> waiting;
    private ScheduledFuture<?> look;
    /** The ready count at the last stall check, and when that was. */
    private int readyAtCheck;
    private long checkedAt;
    /** Stalls in a row, and until when (nanoTime) no hold starts after the last one. */
    private int stalls;
    private long freeUntil;

    /**
     * @param limit     the queue's {@code x-max-length} now, or 0 when it has none
     * @param ready     the ready messages on this node's replica (negative when it holds none)
     * @param consumers the consumers on every node as this replica knows them (negative when it holds none)
     * @param pending   this node's enqueues to the queue not yet committed
     */
    ReplicatedHold(LongSupplier limit, IntSupplier ready, IntSupplier consumers, IntSupplier pending,
                   ScheduledExecutorService timers) {
        this.limit = limit;
        this.ready = ready;
        this.consumers = consumers;
        this.pending = pending;
        this.timers = timers;
    }

    /** The hold of {@code definition}'s replicated queue: one that never holds unless it asks to. */
    static ReplicatedHold of(Queue definition, QuorumLog log, IntSupplier pending, ScheduledExecutorService timers) {
        String vhost = definition.key().vhost();
        String name = definition.name();
        boolean holds = Boolean.TRUE.equals(definition.spec().arguments().get(QueueSpec.HOLD_PUBLISHERS));
        return new ReplicatedHold(() -> {
            Long max = holds ? definition.arguments().now().maxLength() : null;
            return max == null ? 0 : max;
        }, () -> log.readyCount(vhost, name), () -> log.consumerCount(vhost, name), pending, timers);
    }

    /** Whether this node's publishers to the queue should pause now; may start the hold. */
    synchronized boolean congested() {
        if (held) {
            return true;
        }
        long max = limit.getAsLong();
        if (max <= 0 || consumers.getAsInt() <= 0) {
            return false;
        }
        int now = ready.getAsInt();
        if ((long) Math.max(0, now) + pending.getAsInt() < Math.max(1, max / 2)) {
            return false;
        }
        long at = System.nanoTime();
        if (stalls > 0 && at - freeUntil < 0) {
            return false; // the consumers stalled lately
        }
        held = true;
        readyAtCheck = now;
        checkedAt = at;
        look = timers.scheduleWithFixedDelay(this::look, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * Runs {@code resume} once the hold ends and returns true, when a hold is on; false (and nothing is kept) when
     * none is, so that the caller waits for what else congests the queue.
     */
    synchronized boolean whenRelieved(Runnable resume) {
        if (!held) {
            return false;
        }
        if (waiting == null) {
            waiting = new ArrayList<>();
        }
        waiting.add(resume);
        return true;
    }

    /** The timer's look while held: ends the hold once the backlog is down, the consumers gone, or stalled. */
    private void look() {
        List<Runnable> resume;
        synchronized (this) {
            if (!held) {
                return;
            }
            int now = ready.getAsInt();
            boolean end = consumers.getAsInt() <= 0
                    || (long) Math.max(0, now) + pending.getAsInt() <= limit.getAsLong() / 4;
            long at = System.nanoTime();
            if (end) {
                stalls = 0;
            } else if (at - checkedAt >= TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                if (now >= readyAtCheck) { // nothing taken for a second: the queue fills (and drops) again
                    long free = Math.min(MAX_FREE_MILLIS, STALL_MILLIS << Math.min(stalls, 16));
                    stalls++;
                    freeUntil = at + TimeUnit.MILLISECONDS.toNanos(free);
                    end = true;
                }
                readyAtCheck = now;
                checkedAt = at;
            }
            if (!end) {
                return;
            }
            resume = release();
        }
        resume.forEach(Runnable::run);
    }

    /** The queue is gone from this node: publishers waiting on the hold go on. */
    void close() {
        List<Runnable> resume;
        synchronized (this) {
            resume = release();
        }
        resume.forEach(Runnable::run);
    }

    /** Ends the hold; the publishers to resume, outside the lock. */
    private List<Runnable> release() {
        held = false;
        if (look != null) {
            look.cancel(false);
            look = null;
        }
        List<Runnable> resume = waiting == null ? List.of() : waiting;
        waiting = null;
        return resume;
    }
}
