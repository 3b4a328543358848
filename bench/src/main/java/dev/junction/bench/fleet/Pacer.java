package dev.junction.bench.fleet;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed aggregate rate from one thread: message {@code k} is due at {@code start + k / rate}. A message
 * that is late is sent at once, stamped with the time it was due, so falling behind shows as latency and the rate
 * catches up instead of drifting.
 */
final class Pacer {
    /** One send: the message's sequence number and the wall-clock time (µs) it was due. */
    interface Send {
        void send(long seq, long dueMicros);
    }

    private Pacer() {
    }

    /**
     * Sends {@code count} messages numbered {@code firstSeq} onwards at {@code rate} per second and returns the
     * seconds it took (the last send's time minus the first's due time).
     */
    static double run(long firstSeq, long count, int rate, Send send) {
        long startNanos = System.nanoTime();
        long startMicros = Stamp.nowMicros();
        double nanosPerMessage = 1e9 / rate;
        for (long k = 0; k < count; k++) {
            long offset = (long) (k * nanosPerMessage);
            long wait = startNanos + offset - System.nanoTime();
            if (wait > 20_000) {
                // parkNanos oversleeps by tens of µs; waking a little early and sending a burst is fine at these rates.
                LockSupport.parkNanos(wait - 10_000);
            }
            send.send(firstSeq + k, startMicros + offset / 1_000);
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void sleepSeconds(double s) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos((long) (s * 1000)));
    }
}
