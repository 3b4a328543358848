package dev.junction.bench.fleet;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * The bookkeeping of one measured window of sequence numbers {@code [first, end)}: which were sent, which the broker
 * acknowledged (QoS 1 PUBACK; QoS 0 counts a completed write), which arrived and how late. A message is
 * <em>lost</em> when the broker acknowledged it and it never arrived; one numbered before the window is
 * <em>stale</em> (left over from an earlier step) and is neither counted nor timed. Thread-safe: the pacer, the
 * client's acknowledgement callbacks and the consumers all report here.
 */
final class DeliveryLog {
    private final BitSet acked = new BitSet();
    private final BitSet arrived = new BitSet();
    private final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
    private long first;
    private long end;
    private long sent;
    private long ackedCount;
    private long failed;
    private long arrivedCount;
    private long duplicates;
    private long stale;

    /** Starts a new window; what belongs to earlier windows no longer counts. */
    synchronized void begin(long firstSeq, long count) {
        first = firstSeq;
        end = firstSeq + count;
        acked.clear();
        arrived.clear();
        latencyMicros.reset();
        sent = 0;
        ackedCount = 0;
        failed = 0;
        arrivedCount = 0;
        duplicates = 0;
        stale = 0;
    }

    synchronized void sent() {
        sent++;
    }

    synchronized void acked(long seq) {
        if (inWindow(seq) && !acked.get(index(seq))) {
            acked.set(index(seq));
            ackedCount++;
        }
    }

    synchronized void failed(long seq) {
        if (inWindow(seq)) {
            failed++;
        }
    }

    synchronized void arrived(long seq, long sentMicros) {
        if (!inWindow(seq)) {
            stale++;
            return;
        }
        if (arrived.get(index(seq))) {
            duplicates++;
            return;
        }
        arrived.set(index(seq));
        arrivedCount++;
        latencyMicros.recordValue(Math.max(0, Stamp.nowMicros() - sentMicros));
    }

    /** True once every sent message was answered by the broker and every acknowledged one arrived. */
    synchronized boolean settled() {
        return ackedCount + failed >= sent && arrivedCount >= ackedCount;
    }

    synchronized long progress() {
        return ackedCount + failed + arrivedCount;
    }

    synchronized Summary summary() {
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(arrived);
        return new Summary(sent, ackedCount, failed, sent - ackedCount - failed, arrivedCount, lost.cardinality(),
                duplicates, stale, ms(50), ms(99), ms(99.9), latencyMicros.getMaxValue() / 1000.0);
    }

    /**
     * Waits until {@link #settled()}, or until nothing moved for {@code quietSeconds}, or {@code maxSeconds} passed.
     * Returns the seconds waited.
     */
    double awaitSettled(double quietSeconds, double maxSeconds) {
        long start = System.nanoTime();
        long lastMove = start;
        long last = progress();
        while (!settled()) {
            long now = System.nanoTime();
            if ((now - start) / 1e9 > maxSeconds || (now - lastMove) / 1e9 > quietSeconds) {
                break;
            }
            Pacer.sleepSeconds(0.05);
            long p = progress();
            if (p != last) {
                last = p;
                lastMove = System.nanoTime();
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private double ms(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN
                : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    private boolean inWindow(long seq) {
        return seq >= first && seq < end;
    }

    private int index(long seq) {
        return (int) (seq - first);
    }

    /**
     * One window's counts and end-to-end latency in milliseconds. {@code unanswered}: sent, but neither
     * acknowledged nor failed by the end of the wait.
     */
    record Summary(long sent, long acked, long failed, long unanswered, long arrived, long lost, long duplicates,
            long stale, double p50, double p99, double p999, double max) {

        boolean nothingLost() {
            return lost == 0 && failed == 0 && unanswered == 0;
        }

        String format() {
            return String.format("sent=%d acked=%d failed=%d unanswered=%d received=%d lost=%d dup=%d stale=%d"
                    + " p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f", sent, acked, failed, unanswered, arrived,
                    lost, duplicates, stale, p50, p99, p999, max);
        }
    }
}
