package dev.junction.routing;

import dev.junction.routing.queue.QueueStats.Count;
import dev.junction.routing.stream.Stream;
import dev.junction.routing.stream.StreamStats;
import dev.junction.storage.stream.StreamLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * A stream's meters, labelled with its name like a classic queue's: the series a classic queue has where a stream
 * has the same thing ({@code junction.queue.messages}: the records its log keeps; consumers; messages appended,
 * delivered and acknowledged, whose {@code rate()} gives the publish and deliver rates), and the log's own, which a
 * classic queue has not: bytes and segment files on disk, first and last offset.
 */
final class StreamMeters {
    private StreamMeters() {
    }

    static List<Meter> register(MeterRegistry registry, Stream s, Tags t) {
        StreamLog log = s.log();
        StreamStats stats = s.stats();
        return List.of(
                Gauge.builder("junction.queue.messages", s, Stream::messageCount)
                        .description("Ready messages in the queue (a stream: the records its log keeps)").tags(t)
                        .register(registry),
                Gauge.builder("junction.queue.consumers", s, Stream::consumerCount)
                        .description("Consumers of the queue").tags(t).register(registry),
                counter(registry, "junction.queue.messages.published", "Messages routed into the queue", stats,
                        Count.PUBLISH, t),
                counter(registry, "junction.queue.messages.delivered", "Deliveries to consumers and gets", stats,
                        Count.DELIVER, t),
                counter(registry, "junction.queue.messages.acked", "Deliveries acknowledged", stats, Count.ACK, t),
                Gauge.builder("junction.stream.bytes", log, StreamLog::bytes)
                        .description("Bytes of the stream's segment files on disk").baseUnit("bytes").tags(t)
                        .register(registry),
                Gauge.builder("junction.stream.segments", log, StreamLog::segmentCount)
                        .description("Segment files of the stream on disk").tags(t).register(registry),
                Gauge.builder("junction.stream.offset.first", log, StreamLog::first)
                        .description("Offset of the oldest record the stream keeps (the next one's when empty)")
                        .tags(t).register(registry),
                Gauge.builder("junction.stream.offset.last", log, l -> l.end() - 1)
                        .description("Offset of the newest durable record (-1 before the first)").tags(t)
                        .register(registry));
    }

    private static Meter counter(MeterRegistry registry, String name, String description, StreamStats s, Count c,
                                 Tags t) {
        return FunctionCounter.builder(name, s, x -> x.count(c)).description(description).tags(t).register(registry);
    }
}
