package dev.junction.routing;

import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueStats;
import dev.junction.routing.queue.QueueStats.Count;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * A queue's {@link QueueStats} as Prometheus series: message counters (a dashboard takes their {@code rate()}) and
 * the lag gauges an operator watches, the age of the oldest ready message and consumer utilisation. Registered with
 * the queue's other meters, for the queues that have per-queue meters.
 */
final class QueueStatsMeters {
    private QueueStatsMeters() {
    }

    static List<Meter> register(MeterRegistry registry, Queue q, Tags t) {
        QueueStats s = q.stats();
        return List.of(
                counter(registry, "junction.queue.messages.published", "Messages routed into the queue", s,
                        Count.PUBLISH, t),
                FunctionCounter.builder("junction.queue.messages.delivered", s,
                                x -> x.count(Count.DELIVER) + x.count(Count.DELIVER_NO_ACK) + x.count(Count.GET)
                                        + x.count(Count.GET_NO_ACK))
                        .description("Deliveries to consumers and gets").tags(t).register(registry),
                counter(registry, "junction.queue.messages.redelivered", "Deliveries and gets of messages delivered "
                        + "before", s, Count.REDELIVER, t),
                counter(registry, "junction.queue.messages.acked", "Deliveries acknowledged", s, Count.ACK, t),
                Gauge.builder("junction.queue.oldest.ready.age", s,
                                x -> x.oldestReadyAgeSeconds(System.currentTimeMillis()))
                        .description("Age of the oldest ready message (0 when none is ready)").baseUnit("seconds")
                        .tags(t).register(registry),
                Gauge.builder("junction.queue.consumer.utilisation", s, QueueStats::consumerUtilisation)
                        .description("Fraction of the last sampling window in which the queue's consumers could "
                                + "take a message at once (NaN without consumers)").tags(t).register(registry));
    }

    private static Meter counter(MeterRegistry registry, String name, String description, QueueStats s, Count c,
                                 Tags t) {
        return FunctionCounter.builder(name, s, x -> x.count(c)).description(description).tags(t).register(registry);
    }
}
