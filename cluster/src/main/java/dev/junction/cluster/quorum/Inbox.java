package dev.junction.cluster.quorum;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Items from any thread for one owner thread, taken in the order added, in bursts: the owner is handed one task per
 * burst, not one per item. A task per command cost its caller an executor's lock, a task object and, as often as
 * not, a wake-up of the owner (a futex call on each side), and each such task sent what it brought at once when a
 * request slot was free, alone; drained together, the items that arrived meanwhile go to their lanes first and are
 * sent after, together.
 *
 * <p>A burst takes at most {@value #BURST} items, then the owner's other tasks (answers, resends) get their turn.
 */
final class Inbox<T> {
    static final int BURST = 1024;

    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService owner;
    private final Consumer<T> each;
    private final Runnable afterBurst;

    /** {@code each} takes an item, and {@code afterBurst} runs once the burst's items are taken; both on the owner. */
    Inbox(ExecutorService owner, Consumer<T> each, Runnable afterBurst) {
        this.owner = owner;
        this.each = each;
        this.afterBurst = afterBurst;
    }

    /** Adds {@code item} for the owner; false when the owner has stopped and will never take it. Any thread. */
    boolean add(T item) {
        items.add(item);
        if (scheduled.compareAndSet(false, true)) {
            try {
                owner.execute(this::drain);
            } catch (RejectedExecutionException stopped) {
                return !items.remove(item);
            }
        } else if (owner.isShutdown()) {
            return !items.remove(item); // the burst this one waited for will never run
        }
        return true;
    }

    private void drain() {
        // Cleared before taking: an item added after the last poll schedules a burst of its own.
        scheduled.set(false);
        for (int n = 0; n < BURST; n++) {
            T item = items.poll();
            if (item == null) {
                break;
            }
            each.accept(item);
        }
        afterBurst.run();
        if (!items.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                owner.execute(this::drain);
            } catch (RejectedExecutionException stopped) {
                // stopping: what is left is dropped with the thread
            }
        }
    }
}
