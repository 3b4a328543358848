package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import java.util.Map;
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

    /** Due time in epoch milliseconds, then arrival order. */
    private record Due(long at, long seq) implements Comparable<Due> {
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
    /** The due time the timer waits for; {@code Long.MIN_VALUE} while {@link #arm} looks (see the class doc). */
    private volatile long armedAt = Long.MAX_VALUE;
    private volatile boolean stopped;
    /** Timer thread only. */
    private ScheduledFuture<?> wake;

    /** @param release publishes a due message again; runs on the timer thread */
    public DelayedMessages(ScheduledExecutorService timers, Consumer<Message> release) {
        this.timers = timers;
        this.release = release;
    }

    /** Holds {@code message} until {@code dueAt} (epoch milliseconds). */
    public void hold(long dueAt, Message message) {
        pending.put(new Due(dueAt, arrivals.incrementAndGet()), message);
        count.incrementAndGet();
        if (dueAt < armedAt) {
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

    private void releaseDue() {
        long now = System.currentTimeMillis();
        Map.Entry<Due, Message> first;
        while (!stopped && (first = pending.firstEntry()) != null && first.getKey().at() <= now) {
            if (pending.remove(first.getKey()) == null) {
                continue;
            }
            count.decrementAndGet();
            try {
                release.accept(first.getValue());
            } catch (RuntimeException e) {
                // The exchange or its vhost went while the message waited: the plugin drops it too.
                LOG.debug("delayed message not released: {}", e.toString());
            }
        }
    }
}
