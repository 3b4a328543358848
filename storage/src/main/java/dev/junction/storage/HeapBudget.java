package dev.junction.storage;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Checks, before and during a start-up rebuild, that what is being rebuilt fits in the heap, so that a store too
 * large for {@code -Xmx} ends the start with one line naming the heap it needs instead of an OutOfMemoryError
 * somewhere in the middle (which, with {@code -XX:+ExitOnOutOfMemoryError}, would end the process without a word
 * about why). Rules: the rebuild may use the heap up to {@link #CEILING_PERCENT} of its maximum, measured after a
 * collection; the estimate of the need is rounded up to whole MiB and says which {@code -Xmx} would do.
 */
public final class HeapBudget {
    /** The share of the maximum heap a rebuild may fill; the rest is for the broker to run. */
    public static final int CEILING_PERCENT = 85;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private HeapBudget() {
    }

    /** Thrown when a rebuild does not fit: its message is the one line to print. */
    public static final class HeapTooSmallException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HeapTooSmallException(String message) {
            super(message, null, false, false);
        }
    }

    /** The maximum heap in bytes, or 0 when the JVM has no limit. */
    public static long max() {
        long max = MEMORY.getHeapMemoryUsage().getMax();
        return Math.max(max, 0);
    }

    /** Heap in use after a full collection (only called at start-up, and when the heap looks full). */
    public static long usedAfterCollection() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /**
     * Before rebuilding {@code what}: throws when {@code bytes} more would not fit under the ceiling.
     *
     * @param what  the rebuild, for the message (e.g. "1,200,000 queues, 3 exchanges, 9 bindings")
     * @param bytes the estimated heap the rebuild takes
     */
    public static void require(String what, long bytes) {
        long max = max();
        if (max == 0 || bytes <= 0) {
            return;
        }
        long used = MEMORY.getHeapMemoryUsage().getUsed();
        if (used + bytes <= ceiling(max)) {
            return;
        }
        used = usedAfterCollection();
        if (used + bytes > ceiling(max)) {
            throw tooSmall(what, used + bytes, max);
        }
    }

    /**
     * During a rebuild of {@code what}, {@code fractionDone} of the way through: when the heap is past the ceiling
     * even after a collection, throws with the need extrapolated from what the part done so far took.
     *
     * @param usedAtStart heap used when the rebuild started
     */
    public static void check(String what, double fractionDone, long usedAtStart) {
        long max = max();
        if (max == 0 || MEMORY.getHeapMemoryUsage().getUsed() <= ceiling(max)) {
            return;
        }
        long used = usedAfterCollection();
        if (used <= ceiling(max)) {
            return;
        }
        double done = Math.max(fractionDone, 0.01);
        long need = usedAtStart + (long) ((used - usedAtStart) / done);
        throw tooSmall(what, Math.max(need, used), max);
    }

    private static long ceiling(long max) {
        return max / 100 * CEILING_PERCENT;
    }

    private static HeapTooSmallException tooSmall(String what, long need, long max) {
        long xmx = mib((long) (need * 100.0 / CEILING_PERCENT));
        return new HeapTooSmallException("the heap is too small to recover " + what + ": it needs about " + mib(need)
                + " MiB, the maximum heap is " + mib(max) + " MiB; start with -Xmx" + xmx + "m or more");
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
