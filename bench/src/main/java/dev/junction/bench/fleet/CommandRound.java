package dev.junction.bench.fleet;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * One round of the command path: every device is to receive one message of this round (its own command, or the
 * broadcast). Counts the devices that have it, times each from the send, and notes when the last one got it.
 * Messages of another round (a redelivery, a late broadcast) are counted as stale and otherwise ignored.
 */
final class CommandRound {
    private final long round;
    private final int devices;
    private final BitSet got = new BitSet();
    private final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
    private int count;
    private long duplicates;
    private long stale;
    private long lastArrivalNanos;

    CommandRound(long round, int devices) {
        this.round = round;
        this.devices = devices;
    }

    long round() {
        return round;
    }

    /** Device {@code index} (its position in the fleet) got a message stamped with {@code round}. */
    synchronized void arrived(int index, long messageRound, long sentMicros) {
        if (messageRound != round) {
            stale++;
            return;
        }
        if (got.get(index)) {
            duplicates++;
            return;
        }
        got.set(index);
        count++;
        latencyMicros.recordValue(Math.max(0, Stamp.nowMicros() - sentMicros));
        lastArrivalNanos = System.nanoTime();
        if (count == devices) {
            notifyAll();
        }
    }

    /** Waits until every device has it or {@code seconds} passed. */
    synchronized void await(double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (count < devices) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized String format(String kind, long startNanos, double publishSeconds) {
        return String.format("round kind=%s round=%d devices=%d received=%d missing=%d dup=%d stale=%d"
                + " publish_ms=%.1f last_ms=%.1f p50_ms=%.2f p99_ms=%.2f", kind, round, devices, count,
                devices - count, duplicates, stale, publishSeconds * 1000,
                count == 0 ? Double.NaN : (lastArrivalNanos - startNanos) / 1e6, ms(50), ms(99));
    }

    private double ms(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN
                : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
}
