package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages one delayed exchange holds, ordered by due time and, for the same millisecond, by publish order,
 * and released in that order when due. Publishers add from their own threads; releasing, the stored messages' time
 * index and the one timer that waits for the earliest due time belong to the exchange's owner (a serial executor
 * shared by the vhost's delayed exchanges), so nothing here locks.
 *
 * <h2>Durable</h2>
 * With a {@link HeldStore} (a durable exchange), a persistent message is written to the store, and once the write
 * is durable its due time and id go to the store's time index; only a window of the earliest ones is on the heap
 * ({@link StoredWindow}). The body is read back when the message is released, after which the stored copy is
 * removed. A crash between the release and that removal releases the message again after the restart (at least
 * once, like any unacknowledged delivery).
 *
 * <h2>In memory</h2>
 * A transient message, or any message on a transient exchange, is held on the heap, body included, like a transient
 * message in a queue; the engine's memory alarm is what bounds them.
 *
 * <h2>Arming</h2>
 * {@link #arm} releases what is due and schedules itself for the earliest due time left, noting that time in
 * {@code armedAt}. A publisher adds its message first and then submits {@link #arm} only if its due time is earlier
 * than {@code armedAt}; while {@link #arm} looks for the earliest entry {@code armedAt} reads as the smallest value,
 * so an entry added during that look always submits another {@link #arm} and is never left to a later wake-up.
 * Messages due later than the armed time cost no task at all.
 */
public final class DelayedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);
    private static final int RELEASE_BATCH = 1024;
    private static final long RETRY_MILLIS = 1000;
    private static final long FLUSH_MILLIS = 100;

    /** Stands for a message whose body is in the store. */
    private static final Message STORED = new Message("", "", MessageProperties.builder().build(), new byte[0]);

    /** Messages held in memory, and the window of stored ones. */
    private final ConcurrentSkipListMap<Due, Message> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong arrivals = new AtomicLong();
    /** Messages held, in memory and stored; the skip list's own {@code size()} walks it and misses the disk. */
    private final AtomicLong count = new AtomicLong();
    private final ScheduledExecutorService timers;
    private final Executor owner;
    private final Consumer<Message> release;
    /** Null for a transient exchange. */
    private final HeldStore store;
    /** Null for a transient exchange; owner thread only. */
    private StoredWindow window;
    /** Stored messages made durable, as (due, id), waiting for the owner to index them in one batch. */
    private final ConcurrentLinkedQueue<long[]> durable = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean indexing = new AtomicBoolean();
    /** The due time the timer waits for; {@code Long.MIN_VALUE} while {@link #arm} looks (see the class doc). */
    private volatile long armedAt = Long.MAX_VALUE;
    private volatile boolean stopped;
    /** Owner thread only. */
    private ScheduledFuture<?> wake;
    /** Whether a write of the time index is scheduled; owner thread only. */
    private boolean flushScheduled;

    /**
     * @param owner runs releases and the time index, one task at a time
     * @param release publishes a due message again; runs on the owner
     * @param store where persistent messages are held; null for a transient exchange
     */
    public DelayedMessages(ScheduledExecutorService timers, Executor owner, Consumer<Message> release,
                           HeldStore store) {
        this.timers = timers;
        this.owner = owner;
        this.release = release;
        this.store = store;
        this.window = store == null ? null : new StoredWindow(store, pending, STORED, false);
    }

    /**
     * Holds {@code message} until {@code dueAt} (epoch milliseconds). Returns the store write of a persistent
     * message on a durable exchange, which the publisher's confirm waits for; null when the message is held in
     * memory only.
     */
    public CompletableFuture<Void> hold(long dueAt, Message message) {
        if (store == null || !message.persistent()) {
            long seq = store == null ? arrivals.incrementAndGet() : store.nextId();
            if (!stopped) {
                pending.put(new Due(dueAt, seq, 0), message);
                count.incrementAndGet();
                if (dueAt < armedAt) {
                    owner.execute(this::arm);
                }
            }
            return null;
        }
        long id = store.nextId();
        count.incrementAndGet();
        CompletableFuture<Void> written = store.append(id, dueAt, message);
        // Indexed once durable, so a release never reads a record the store does not have yet.
        written.whenComplete((ok, error) -> {
            if (error != null) {
                count.decrementAndGet();
                return;
            }
            durable.add(new long[] {dueAt, id});
            if (indexing.compareAndSet(false, true)) {
                owner.execute(this::index);
            }
        });
        return written;
    }

    /** Takes the messages made durable since the last run into the time index (and the window), in one batch. */
    private void index() {
        indexing.set(false);
        if (stopped) {
            durable.clear();
            return;
        }
        long earliest = Long.MAX_VALUE;
        long[] e;
        while ((e = durable.poll()) != null) {
            if (window.add(e[0], e[1])) {
                earliest = Math.min(earliest, e[0]);
            }
        }
        if (!flushScheduled) {
            // One index write per bucket every FLUSH_MILLIS, not one per group commit: the store is the record of
            // what is held (an entry lost with the process is found again at start), so nothing waits for it.
            flushScheduled = true;
            try {
                timers.schedule(() -> owner.execute(this::flushIndex), FLUSH_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                flushIndex();
            }
        }
        if (earliest < armedAt) {
            arm();
        }
    }

    private void flushIndex() {
        flushScheduled = false;
        if (stopped) {
            return;
        }
        try {
            window.flush();
        } catch (RuntimeException failed) {
            // The entries stay noted and go with the next write; the store holds the messages meanwhile.
            LOG.warn("delayed messages: time index not written: {}", failed.toString());
        }
    }

    /**
     * Makes the store's time index cover what the store holds (start-up); returns how many were found. Nothing is
     * released until {@link #resume}, so that no message due already reaches a queue whose own stored messages are
     * not back yet.
     */
    public long recover() {
        if (store == null) {
            return 0;
        }
        long n = store.recover();
        window = new StoredWindow(store, pending, STORED, true);
        count.addAndGet(n);
        return n;
    }

    /** Arms the timer for what {@link #recover} found; call once every queue is recovered. */
    public void resume() {
        owner.execute(this::arm);
    }

    /** Messages held and not yet released. */
    public long pending() {
        return count.get();
    }

    /** Entries on the heap: messages held in memory and the stored ones' window (walks the list; for tests). */
    int onHeap() {
        return pending.size();
    }

    /** Drops every held message and the timer. */
    public void stop() {
        stopped = true;
        owner.execute(() -> {
            if (wake != null) {
                wake.cancel(false);
            }
            pending.clear();
            count.set(0);
            if (store != null) {
                window.clear();
                store.drop();
            }
        });
    }

    private void arm() {
        if (stopped) {
            return;
        }
        long retryAt = Long.MAX_VALUE;
        try {
            releaseDue();
            if (window != null) {
                window.refill();
            }
        } catch (RuntimeException e) {
            // A store or time index read failed (a disk error): nothing is lost, the timer tries again shortly.
            LOG.warn("delayed messages not released: {}; trying again in {} ms", e.toString(), RETRY_MILLIS);
            retryAt = System.currentTimeMillis() + RETRY_MILLIS;
        }
        armedAt = Long.MIN_VALUE;
        Map.Entry<Due, Message> first = pending.firstEntry();
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        if (first == null && retryAt == Long.MAX_VALUE) {
            armedAt = Long.MAX_VALUE;
            return;
        }
        long at = retryAt != Long.MAX_VALUE ? retryAt : first.getKey().at(); // after a failure: a pause first
        armedAt = at;
        wake = timers.schedule(() -> owner.execute(this::arm), Math.max(0, at - System.currentTimeMillis()),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Releases what is due, at most {@link #RELEASE_BATCH} at a time: the rest (a backlog found due at start-up)
     * goes in later runs, which {@link #arm} schedules at once, so other work of the owner runs in between.
     */
    private void releaseDue() {
        long now = System.currentTimeMillis();
        Map.Entry<Due, Message> first;
        int released = 0;
        while (!stopped && released++ < RELEASE_BATCH) {
            if (window != null && released % StoredWindow.LOW == 0) {
                window.refill(); // a long backlog due at once
            }
            if ((first = pending.firstEntry()) == null || first.getKey().at() > now) {
                break;
            }
            if (pending.remove(first.getKey()) == null) {
                continue;
            }
            Due due = first.getKey();
            Message message = first.getValue();
            if (due.stored()) {
                try {
                    message = store.read(due.storeId());
                } catch (RuntimeException e) {
                    pending.put(due, first.getValue()); // still held: released once the read works
                    throw e;
                }
                window.released(due);
            }
            if (message == null) {
                continue; // released before a restart, its index entry not yet forgotten
            }
            count.decrementAndGet();
            try {
                release.accept(message);
            } catch (RuntimeException e) {
                // The exchange or its vhost went while the message waited: the plugin drops it too.
                LOG.debug("delayed message not released: {}", e.toString());
            }
            if (due.stored()) {
                store.remove(due.storeId());
            }
        }
        if (window != null) {
            try {
                window.releasedBatch();
            } catch (RuntimeException e) {
                LOG.warn("delayed messages: released time buckets not deleted: {}", e.toString());
            }
        }
    }
}
