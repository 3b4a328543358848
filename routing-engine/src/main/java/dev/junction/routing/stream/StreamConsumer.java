package dev.junction.routing.stream;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Message;
import dev.junction.routing.queue.CreditLimits;
import dev.junction.routing.queue.Prefetch;
import dev.junction.storage.stream.StreamCursor;
import dev.junction.storage.stream.StreamLog;
import dev.junction.storage.stream.StreamRecord;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One consumer of a {@link Stream}: its own cursor into the log and a small read-ahead of records (at most
 * {@value #READ_AHEAD} or about 1 MiB), so the heap holds what is about to be delivered, never the stream. Used on
 * the stream's mailbox thread only, apart from the {@link dev.junction.routing.api.Consumption} calls, which post
 * to it.
 */
final class StreamConsumer implements dev.junction.routing.api.Consumption {
    static final int READ_AHEAD = 128;
    private static final long READ_AHEAD_BYTES = 1 << 20;

    private final Stream stream;
    private final ConsumerSpec spec;
    private final DeliverySink sink;
    private final StreamOffset start;
    private final ArrayDeque<StreamRecord> ahead = new ArrayDeque<>();
    private StreamCursor cursor; // null until the consumer becomes active

    StreamConsumer(Stream stream, ConsumerSpec spec, DeliverySink sink, StreamOffset start) {
        this.stream = stream;
        this.spec = spec;
        this.sink = sink;
        this.start = start;
    }

    List<Prefetch> limits() {
        return spec.limits();
    }

    DeliverySink sink() {
        return sink;
    }

    boolean exclusive() {
        return spec.exclusive();
    }

    /**
     * Delivers what the consumer's credit and sink allow, at most {@code budget}; returns how many. The start
     * offset is resolved the first time, when the consumer becomes active (with single active consumer, when it
     * takes over).
     */
    int pump(StreamLog log, int budget) {
        if (cursor == null) {
            cursor = new StreamCursor(start.resolve(log));
        }
        int n = 0;
        while (n < budget && sink.ready()) {
            if (ahead.isEmpty()) {
                ahead.addAll(log.read(cursor, READ_AHEAD, READ_AHEAD_BYTES));
                if (ahead.isEmpty()) {
                    break;
                }
            }
            StreamRecord r = ahead.peek();
            Message m = MessageCodec.decode(r.data());
            // Every delivery says where it is in the stream, as RabbitMQ's x-stream-offset header (a long).
            m = m.withProperties(m.properties().toBuilder().header(StreamOffset.ARGUMENT, r.offset()).build());
            int size = m.bodySize();
            if (!CreditLimits.tryAcquire(spec.limits(), size, stream)) {
                break; // parked: a settle releasing credit kicks the stream
            }
            ahead.poll();
            long id = stream.held(this, size);
            sink.deliver(new Delivery(stream, id, m, false, 0, false, 0, List.of()));
            n++;
        }
        return n;
    }

    @Override
    public String tag() {
        return spec.tag();
    }

    @Override
    public DeliverySource source() {
        return stream;
    }

    @Override
    public boolean autoAck() {
        return false;
    }

    @Override
    public void resume() {
        stream.kick();
    }

    @Override
    public CompletableFuture<Void> cancel() {
        return stream.cancel(this);
    }

    @Override
    public String toString() {
        return "consumer '" + spec.tag() + "' on " + stream;
    }
}
