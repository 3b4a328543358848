package dev.junction.routing;

import dev.junction.routing.queue.Queue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Totals over the queues of one vhost that have no queue-labelled meters of their own: MQTT session queues, unless
 * an operator asked for them ({@code mqtt.per_session_metrics}). A fleet of devices would otherwise cost several
 * meters per device, each labelled with a client id; these five gauges cost nothing per queue. They are summed
 * from the queues' own counts when scraped, so they are exactly what those queues hold at that moment, however
 * many queues come and go between scrapes.
 */
final class UnlabelledQueueTotals {
    private UnlabelledQueueTotals() {
    }

    /** Registers the totals over those {@code queues} (a live view) for which {@code perQueue} is false. */
    static void register(MeterRegistry registry, Tags tags, Collection<Queue> queues, Predicate<String> perQueue) {
        gauge(registry, tags, queues, perQueue, "junction.queues.unlabelled", q -> 1,
                "Queues without queue-labelled meters of their own (MQTT sessions)");
        gauge(registry, tags, queues, perQueue, "junction.queues.unlabelled.messages", Queue::messageCount,
                "Ready messages in the queues without meters of their own");
        gauge(registry, tags, queues, perQueue, "junction.queues.unlabelled.messages.unacked", Queue::unackedCount,
                "Delivered, unacknowledged messages of the queues without meters of their own");
        gauge(registry, tags, queues, perQueue, "junction.queues.unlabelled.messages.paged", Queue::pagedCount,
                "Ready messages kept on disk only, of the queues without meters of their own");
        gauge(registry, tags, queues, perQueue, "junction.queues.unlabelled.consumers", Queue::consumerCount,
                "Consumers of the queues without meters of their own");
    }

    private static void gauge(MeterRegistry registry, Tags tags, Collection<Queue> queues, Predicate<String> perQueue,
                              String name, ToDoubleFunction<Queue> count, String description) {
        Gauge.builder(name, queues, all -> {
            double sum = 0;
            for (Queue q : all) {
                if (!perQueue.test(q.name())) {
                    sum += count.applyAsDouble(q);
                }
            }
            return sum;
        }).description(description).tags(tags).register(registry);
    }
}
