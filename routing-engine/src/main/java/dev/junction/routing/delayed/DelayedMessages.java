package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages one delayed exchange holds, ordered by due time and, for the same millisecond, by arrival, and
 * released in that order when due. Publishers add from their own threads; releasing, and the one timer that waits
 * for the earliest due time, belong to the engine's timer thread, so nothing here locks.
 *
 * <h2>Durable</h2>
 * With a {@link HeldStore} (a durable exchange), a persistent message is written to the store and enters the index
 * once the write is durable; the index then keeps only its due time and store id, and the body is read back when
 * it is released, after which the stored copy is removed. A crash between the release and that removal releases
 * the message again after the restart (at least once, like any unacknowledged delivery).
 *
 * <h2>Arming</h2>
 * {@link #arm} releases what is due and schedules itself for the earliest due time left, noting that time in
 * {@code armedAt}. A publisher adds its message first and then submits {@link #arm} only if its due time is earlier
 * than {@code armedAt}; while {@link #arm} looks for the earliest entry {@code armedAt} reads as the smallest value,
 * so an entry added during that look always submits another {@link #arm} and is never left to a later wake-up.
 * Messages due later than the armed time cost no task at all.
 *
 * <h2>Cost</h2>
 * Per held message: a skip-list node and, on average, half an index node (about 40 bytes), the 24-byte key, the
 * released copy of the message's properties and the message itself, body included.
 */
public final class DelayedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);
    private static final int RELEASE_BATCH = 1024;

    /** Stands for a message whose body is in the store. */
    private static final Message STORED = new Message("", "", MessageProperties.builder().build(), new byte[0]);

    /** Due time in epoch milliseconds, then arrival order; the store id of a stored message, else 0. */
    private record Due(long at, long seq, long storeId) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final ConcurrentSkipListMap<Due, Message> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong arrivals = new AtomicLong();
    /** The size of {@link #pending}, whose own {@code size()} walks the whole list. */
    private final AtomicLong count = new AtomicLong();
    private final ScheduledExecutorService timers;
    private final Consumer<Message> release;
    /** Null for a transient exchange. */
    private final HeldStore store;
    /** The due time the timer waits for; {@code Long.MIN_VALUE} while {@link #arm} looks (see the class doc). */
    private volatile long armedAt = Long.MAX_VALUE;
    private volatile boolean stopped;
    /** Timer thread only. */
    private ScheduledFuture<?> wake;

    /**
     * @param release publishes a due message again; runs on the timer thread
     * @param store where persistent messages are held; null for a transient exchange
     */
    public DelayedMessages(ScheduledExecutorService timers, Consumer<Message> release, HeldStore store) {
        this.timers = timers;
        this.release = release;
        this.store = store;
    }

    /**
     * Holds {@code message} until {@code dueAt} (epoch milliseconds). Returns the store write of a persistent
     * message on a durable exchange, which the publisher's confirm waits for; null when the message is held in
     * memory only.
     */
    public CompletableFuture<Void> hold(long dueAt, Message message) {
        if (store == null || !message.persistent()) {
            add(new Due(dueAt, arrivals.incrementAndGet(), 0), message);
            return null;
        }
        long id = store.nextId();
        CompletableFuture<Void> written = store.append(id, dueAt, message);
        // Indexed once durable, so a release never reads a record the store does not have yet.
        written.thenRun(() -> add(new Due(dueAt, arrivals.incrementAndGet(), id), STORED));
        return written;
    }

    /** A stored message found at start-up; see {@link #recover}. */
    void restore(long dueAt, long storeId) {
        pending.put(new Due(dueAt, arrivals.incrementAndGet(), storeId), STORED);
        count.incrementAndGet();
    }

    /**
     * Rebuilds the index from the store (start-up); returns how many were found. Nothing is released until
     * {@link #resume}, so that no message due already reaches a queue whose own stored messages are not back yet.
     */
    public long recover() {
        return store == null ? 0 : store.recover(this);
    }

    /** Arms the timer for what {@link #recover} found; call once every queue is recovered. */
    public void resume() {
        timers.execute(this::arm);
    }

    private void add(Due due, Message message) {
        if (stopped) {
            return;
        }
        pending.put(due, message);
        count.incrementAndGet();
        if (due.at() < armedAt) {
            timers.execute(this::arm);
        }
    }

    /** Messages held and not yet released. */
    public long pending() {
        return count.get();
    }

    /** Drops every held message and the timer. */
    public void stop() {
        stopped = true;
        timers.execute(() -> {
            if (wake != null) {
                wake.cancel(false);
            }
            pending.clear();
            count.set(0);
            if (store != null) {
                store.drop();
            }
        });
    }

    private void arm() {
        if (stopped) {
            return;
        }
        releaseDue();
        armedAt = Long.MIN_VALUE;
        Map.Entry<Due, Message> first = pending.firstEntry();
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        if (first == null) {
            armedAt = Long.MAX_VALUE;
            return;
        }
        long at = first.getKey().at();
        armedAt = at;
        wake = timers.schedule(this::arm, Math.max(0, at - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    /**
     * Releases what is due, at most {@link #RELEASE_BATCH} at a time: the rest (a backlog found due at start-up)
     * goes in later runs, which {@link #arm} schedules at once, so other timers of the thread run in between.
     */
    private void releaseDue() {
        long now = System.currentTimeMillis();
        Map.Entry<Due, Message> first;
        int released = 0;
        while (!stopped && released++ < RELEASE_BATCH && (first = pending.firstEntry()) != null
                && first.getKey().at() <= now) {
            if (pending.remove(first.getKey()) == null) {
                continue;
            }
            count.decrementAndGet();
            long storeId = first.getKey().storeId();
            Message message = storeId == 0 ? first.getValue() : store.read(storeId);
            try {
                if (message != null) {
                    release.accept(message);
                }
            } catch (RuntimeException e) {
                // The exchange or its vhost went while the message waited: the plugin drops it too.
                LOG.debug("delayed message not released: {}", e.toString());
            }
            if (storeId != 0) {
                store.remove(storeId);
            }
        }
    }
}
