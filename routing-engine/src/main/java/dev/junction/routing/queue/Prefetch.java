package dev.junction.routing.queue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A credit limit on unacknowledged deliveries, by count and by bytes (0 = unlimited). One instance per consumer
 * for per-consumer QoS, or one shared by all of a channel's consumers for channel-wide QoS, so it is safe to
 * use from several queues' threads. A queue that found no credit parks itself here and is woken on release.
 */
public final class Prefetch {
    private volatile long countLimit;
    private volatile long bytesLimit;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Set<QueueTarget> waiting = ConcurrentHashMap.newKeySet();
    private final boolean shared;

    public Prefetch(long countLimit, long bytesLimit) {
        this(countLimit, bytesLimit, false);
    }

    /** {@code shared}: one limit for many consumers (a channel-wide QoS), not one consumer's own prefetch. */
    public Prefetch(long countLimit, long bytesLimit, boolean shared) {
        this.countLimit = countLimit;
        this.bytesLimit = bytesLimit;
        this.shared = shared;
    }

    public static Prefetch unlimited() {
        return new Prefetch(0, 0);
    }

    /** Changes the limits (basic.qos on a channel with consumers); raising them wakes waiting queues. */
    public void setLimits(long newCountLimit, long newBytesLimit) {
        this.countLimit = newCountLimit;
        this.bytesLimit = newBytesLimit;
        wake();
    }

    /** Whether this is a limit shared by many consumers rather than one consumer's own. */
    public boolean shared() {
        return shared;
    }

    public long countLimit() {
        return countLimit;
    }

    public long bytesLimit() {
        return bytesLimit;
    }

    public long inUse() {
        return count.get();
    }

    boolean tryAcquire(int size) {
        long c = count.incrementAndGet();
        long b = bytes.addAndGet(size);
        long cl = countLimit;
        long bl = bytesLimit;
        // A bytes limit still lets one message through when nothing is outstanding, so a single large
        // message cannot block a consumer forever.
        if ((cl > 0 && c > cl) || (bl > 0 && b > bl && c > 1)) {
            count.decrementAndGet();
            bytes.addAndGet(-size);
            return false;
        }
        return true;
    }

    /**
     * Whether a delivery that takes no credit (a no-ack consumer under a channel-wide limit) may go now: RabbitMQ's
     * limiter lets it through only while the shared limit is not used up, without counting it.
     */
    boolean hasCredit() {
        long cl = countLimit;
        long bl = bytesLimit;
        return (cl <= 0 || count.get() < cl) && (bl <= 0 || bytes.get() < bl);
    }

    /**
     * {@link #tryAcquire} or, when there is no credit, parks {@code queue} to be kicked on the next release. Looks
     * again after parking: a release between the failed attempt and the park would otherwise wake nobody.
     */
    boolean tryAcquireOrPark(int size, QueueTarget queue) {
        if (tryAcquire(size)) {
            return true;
        }
        park(queue);
        if (tryAcquire(size)) {
            unpark(queue);
            return true;
        }
        return false;
    }

    /** {@link #hasCredit} or, when there is none, parks {@code queue}; rechecked after parking as above. */
    boolean hasCreditOrPark(QueueTarget queue) {
        if (hasCredit()) {
            return true;
        }
        park(queue);
        if (hasCredit()) {
            unpark(queue);
            return true;
        }
        return false;
    }

    void release(int size) {
        count.decrementAndGet();
        bytes.addAndGet(-size);
        wake();
    }

    void park(QueueTarget queue) {
        waiting.add(queue);
    }

    void unpark(QueueTarget queue) {
        waiting.remove(queue);
    }

    private void wake() {
        if (waiting.isEmpty()) {
            return;
        }
        for (QueueTarget q : waiting) {
            if (waiting.remove(q)) {
                q.kick();
            }
        }
    }
}
