package dev.junction.protocol.testing;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the calling thread. An EmbeddedChannel runs every handler on the caller's thread, so
 * the difference across one input is what the pipeline allocated for it: a fuzz test bounds it by a constant
 * plus a multiple of the input's size, which catches any allocation sized from a length field on the wire.
 */
public final class HeapMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private HeapMeter() {
    }

    /**
     * Runs {@code input} and fails if it allocated more than {@code budget} heap bytes. An input over budget is
     * run a second time and judged by that run: the first time a code path runs, the fuzzer instruments and the
     * JVM loads its classes on this thread, which is not the input's doing; an allocation sized from the input
     * happens again.
     */
    public static void bounded(String what, long budget, Runnable input) {
        long used = measure(input);
        if (used > budget) {
            used = measure(input);
            if (used > budget) {
                throw new AssertionError(what + ": allocated " + used + " heap bytes, over the budget of " + budget);
            }
        }
    }

    private static long measure(Runnable input) {
        long before = allocated();
        input.run();
        return allocated() - before;
    }

    public static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * The budget for one input: {@code fixed} covers channel setup, exceptions and one-off class loading;
     * {@code perByte} covers objects decoded from the bytes (a field table entry is ~40 bytes from 2 on the wire).
     */
    public static long budget(int inputLength, long fixed, int perByte) {
        return fixed + (long) perByte * inputLength;
    }
}
