package dev.junction.routing.api;

import dev.junction.routing.queue.Prefetch;

/**
 * A delivery window that one or more consumers draw from: at most {@code count} unsettled deliveries and
 * {@code bytes} unsettled body bytes (0 = no limit). One credit per consumer is AMQP {@code basic.qos} with
 * global=false; one shared by every consumer of a channel is global=true; MQTT's Receive Maximum is one credit
 * shared by a session's consumers [MQTT-3.3.4-9]. Thread-safe; changing the limits wakes waiting consumers.
 */
public final class Credit {
    private final Prefetch prefetch;

    private Credit(Prefetch prefetch) {
        this.prefetch = prefetch;
    }

    public static Credit of(long count, long bytes) {
        return new Credit(new Prefetch(count, bytes));
    }

    /**
     * A credit every consumer of a channel draws from (AMQP {@code basic.qos} with global=true), initially
     * unlimited. A queue that asks for a consumer's own prefetch (a stream) does not count it as one.
     */
    public static Credit channelWide() {
        return new Credit(new Prefetch(0, 0, true));
    }

    public static Credit unlimited() {
        return new Credit(Prefetch.unlimited());
    }

    public void setLimits(long count, long bytes) {
        prefetch.setLimits(count, bytes);
    }

    public long countLimit() {
        return prefetch.countLimit();
    }

    public long bytesLimit() {
        return prefetch.bytesLimit();
    }

    /** Deliveries drawn from this credit and not settled yet. */
    public long inUse() {
        return prefetch.inUse();
    }

    Prefetch prefetch() {
        return prefetch;
    }
}
