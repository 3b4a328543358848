package dev.junction.routing.exchange;

import java.util.concurrent.atomic.LongAdder;

/**
 * An exchange's message counts for the management API, RabbitMQ's exchange {@code message_stats}: messages published
 * into it ({@code publish_in}) and those of them it routed to at least one queue ({@code publish_out}). Publishers
 * of every connection count here at once, so the counts are {@link LongAdder}s, which do not make them contend.
 */
public final class ExchangeStats {
    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();

    /** One message published into the exchange; {@code routed}: it reached at least one queue. */
    public void published(boolean routed) {
        in.increment();
        if (routed) {
            out.increment();
        }
    }

    public long publishIn() {
        return in.sum();
    }

    public long publishOut() {
        return out.sum();
    }
}
