package dev.junction.routing.api;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The publishing connections that congested queues hold back (their sockets not read, {@link ReadGate}), counted
 * together for a vhost: how many are held now, how many holds began, and how long they lasted in all. One set of
 * numbers for all connections, so that a fleet of publishers adds no meters; a connection counts once however many
 * of its publishes wait. Thread-safe; each connection's {@link DeliveryOutlet} reports its own holds.
 */
public final class PublisherHolds {
    private final AtomicInteger held = new AtomicInteger();
    private final LongAdder holds = new LongAdder();
    private final LongAdder heldNanos = new LongAdder();

    /** A connection stopped reading for a congested queue; returns the time to pass to {@link #ended}. */
    long started() {
        held.incrementAndGet();
        holds.increment();
        return System.nanoTime();
    }

    /** The connection that {@link #started} at {@code startedAt} reads again (or closed). */
    void ended(long startedAt) {
        held.decrementAndGet();
        heldNanos.add(System.nanoTime() - startedAt);
    }

    /** Connections held now. */
    public int held() {
        return held.get();
    }

    /** Holds begun since start. */
    public long holds() {
        return holds.sum();
    }

    /** Seconds that ended holds lasted, summed over connections. */
    public double heldSeconds() {
        return heldNanos.sum() / 1e9;
    }
}
