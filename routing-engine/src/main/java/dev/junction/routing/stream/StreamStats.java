package dev.junction.routing.stream;

import dev.junction.routing.queue.QueueStats.Count;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link Stream} counts for the management API's {@code message_stats} and its Prometheus counters, in
 * RabbitMQ's names: messages appended ({@code publish}, counted once durable), deliveries to consumers
 * ({@code deliver}) and acknowledgements ({@code ack}). A stream has no gets, no no-ack consumers and no
 * redeliveries, so those counts stay 0. Appends complete on the log's writer thread and deliveries and acks happen
 * on the stream's mailbox, so the counts are adders any thread may write and read; turning them into rates is the
 * reader's business, as for {@link dev.junction.routing.queue.QueueStats}.
 */
public final class StreamStats {
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder acked = new LongAdder();

    void published() {
        published.increment();
    }

    void delivered() {
        delivered.increment();
    }

    void acked(int n) {
        acked.add(n);
    }

    /** The count of {@code c} so far; any thread. */
    public long count(Count c) {
        return switch (c) {
            case PUBLISH -> published.sum();
            case DELIVER -> delivered.sum();
            case ACK -> acked.sum();
            default -> 0;
        };
    }

    /** Every count, indexed by {@link Count#ordinal()}, as {@code QueueStats.counts()} gives a queue's. */
    public long[] counts() {
        Count[] all = Count.values();
        long[] out = new long[all.length];
        for (Count c : all) {
            out[c.ordinal()] = count(c);
        }
        return out;
    }
}
