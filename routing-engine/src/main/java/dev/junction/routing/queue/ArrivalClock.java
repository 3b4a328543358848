package dev.junction.routing.queue;

/**
 * When a queue's oldest ready message arrived, without a timestamp per message. Arrivals are numbered; the clock
 * keeps checkpoints "arrival number n came at time t", at most one per {@code gap} (1 s to start with). The ready
 * messages are taken to be the latest {@code ready} arrivals, which holds for a FIFO queue: deliveries, expiries,
 * length-limit drops and purges all take from the head. The oldest is then arrival {@code arrivals - ready}, and
 * the checkpoint at or before it gives a time no later than its arrival, so the age is over-stated by less than
 * one gap, never under-stated. A requeued message (older than any checkpoint left) and the lower lanes of a
 * priority queue count from the oldest checkpoint kept.
 *
 * <p>At most {@value #MAX} checkpoints are kept: when full, every other one goes and the gap doubles, so a queue
 * that fills for days costs a few kilobytes and its age stays within one percent or so. Checkpoints behind the
 * oldest ready message are dropped as it moves on, and all of them when the queue is empty. Queue thread only.
 */
final class ArrivalClock {
    private static final int MAX = 128;
    private static final long FIRST_GAP_MS = 1000;

    private long arrivals;
    private long[] numbers;
    private long[] times;
    private int first;
    private int size;
    private long gap = FIRST_GAP_MS;

    /** One message entered the ready messages at {@code nowMillis}. */
    void arrived(long nowMillis) {
        if (size == 0 || nowMillis - times[slot(size - 1)] >= gap) {
            checkpoint(arrivals, nowMillis);
        }
        arrivals++;
    }

    /**
     * The arrival time of the oldest of the {@code ready} messages (epoch ms), 0 when there are none. Ready
     * messages the clock never saw arrive (read back from the store at start) count from now.
     */
    long oldest(int ready) {
        if (ready == 0) {
            size = 0;
            first = 0;
            gap = FIRST_GAP_MS;
            return 0;
        }
        if (size == 0) {
            checkpoint(Math.max(0, arrivals - ready), System.currentTimeMillis());
        }
        long oldest = arrivals - ready;
        while (size > 1 && numbers[slot(1)] <= oldest) {
            first = slot(1);
            size--;
        }
        return times[first];
    }

    private void checkpoint(long number, long at) {
        if (numbers == null) {
            numbers = new long[8];
            times = new long[8];
        } else if (size == numbers.length) {
            if (size == MAX) {
                thin();
            } else {
                grow();
            }
        }
        int s = slot(size);
        numbers[s] = number;
        times[s] = at;
        size++;
    }

    /** Keeps every other checkpoint (always the first, which bounds the oldest) and doubles the gap. */
    private void thin() {
        copy(2, numbers.length);
        gap *= 2;
    }

    private void grow() {
        copy(1, numbers.length * 2);
    }

    /** Copies every {@code step}-th checkpoint, from the first, into new arrays of {@code length}. */
    private void copy(int step, int length) {
        long[] n = new long[length];
        long[] t = new long[length];
        int kept = 0;
        for (int i = 0; i < size; i += step) {
            n[kept] = numbers[slot(i)];
            t[kept] = times[slot(i)];
            kept++;
        }
        numbers = n;
        times = t;
        first = 0;
        size = kept;
    }

    private int slot(int i) {
        return (first + i) % numbers.length;
    }
}
