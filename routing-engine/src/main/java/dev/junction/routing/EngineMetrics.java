package dev.junction.routing;

import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.PublisherHolds;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.exchange.ExchangeStats;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueMetrics;
import dev.junction.routing.stream.Stream;
import dev.junction.storage.MessageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The Micrometer meters of one vhost: message counters, per-queue gauges for the queues the broker names
 * ({@link RoutingEngine#setPerQueueMetrics}), and totals over the others ({@link UnlabelledQueueTotals}).
 */
final class EngineMetrics implements QueueMetrics, VhostStats {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter published;
    private final Counter routed;
    private final Counter unroutable;
    private final Counter delivered;
    private final Counter acked;
    private final Counter confirmed;
    private final ExchangeStats defaultExchange = new ExchangeStats();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> queueMeters = new ConcurrentHashMap<>();
    private final PublisherHolds holds = new PublisherHolds();

    private final MessageStore store;
    private final Predicate<String> perQueue;

    /**
     * @param queues   the vhost's queues (a live view), for the totals over those without meters of their own
     * @param perQueue which queues get their own, queue-labelled meters
     */
    EngineMetrics(MeterRegistry registry, String vhost, MessageStore store, Collection<Queue> queues,
                  Predicate<String> perQueue) {
        this.registry = registry;
        this.store = store;
        this.perQueue = perQueue;
        this.tags = Tags.of("vhost", vhost);
        published = Counter.builder("junction.messages.published").description("Messages received from publishers")
                .tags(tags).register(registry);
        routed = Counter.builder("junction.messages.routed").description("Queue copies made by routing")
                .tags(tags).register(registry);
        unroutable = Counter.builder("junction.messages.unroutable").description("Messages that reached no queue")
                .tags(tags).register(registry);
        delivered = Counter.builder("junction.messages.delivered").description("Deliveries to consumers and gets")
                .tags(tags).register(registry);
        acked = Counter.builder("junction.messages.acked").description("Deliveries acknowledged")
                .tags(tags).register(registry);
        UnlabelledQueueTotals.register(registry, tags, queues, perQueue);
        PublisherHoldMeters.register(registry, tags, holds);
        confirmed = Counter.builder("junction.messages.confirmed").description("Publisher confirms sent as acks")
                .tags(tags).register(registry);
    }

    /**
     * One message published into {@code x} (null: the default exchange) reached {@code queues} queues; a
     * {@code confirm}ed one that reached none is confirmed at once.
     */
    void published(Exchange x, int queues, boolean confirm) {
        (x == null ? defaultExchange : x.stats()).published(queues > 0);
        if (confirm && queues == 0) {
            confirmed.increment();
        }
        published.increment();
        if (queues == 0) {
            unroutable.increment();
        } else {
            routed.increment(queues);
        }
    }

    /**
     * Counts the confirm of a routed publish when it is an ack; returns {@code published}, counting the connection it
     * holds back, if it is congested, in the vhost's {@link PublisherHolds}.
     */
    PublishResult confirming(PublishResult published, boolean confirm) {
        PublishResult result = published.countingHoldsIn(holds);
        if (confirm) {
            result.confirmed().thenAccept(ack -> {
                if (Boolean.TRUE.equals(ack)) {
                    confirmed.increment();
                }
            });
        }
        return result;
    }

    @Override
    public long published() {
        return (long) published.count();
    }

    @Override
    public long unroutable() {
        return (long) unroutable.count();
    }

    @Override
    public long confirmed() {
        return (long) confirmed.count();
    }

    @Override
    public ExchangeStats defaultExchange() {
        return defaultExchange;
    }

    @Override
    public Map<String, Long> deadLettered() {
        Map<String, Long> out = new java.util.TreeMap<>();
        deadLettered.forEach((reason, counter) -> out.put(reason, (long) counter.count()));
        return out;
    }

    @Override
    public void delivered(int n) {
        delivered.increment(n);
    }

    @Override
    public void acked(int n) {
        if (n > 0) {
            acked.increment(n);
        }
    }

    @Override
    public void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("junction.messages.dropped")
                .description("Messages that left a queue without being acknowledged (expired, overflow)")
                .tags(tags.and("reason", r)).register(registry)).increment();
    }

    /**
     * A message left a queue for the queue's dead-letter exchange, by RabbitMQ's reason ({@code rejected},
     * {@code expired}, {@code maxlen}): what RabbitMQ reports as {@code messages_dead_lettered}, per vhost.
     */
    void deadLettered(String reason) {
        deadLettered.computeIfAbsent(reason, r -> Counter.builder("junction.messages.dead_lettered")
                .description("Messages sent to their queue's dead-letter exchange, by reason")
                .tags(tags.and("reason", r)).register(registry)).increment();
    }

    void queueAdded(Queue q) {
        if (!perQueue.test(q.name())) {
            return;
        }
        Tags t = tags.and("queue", q.name());
        List<Meter> meters = new ArrayList<>(List.of(
                Gauge.builder("junction.queue.messages", q, Queue::messageCount)
                        .description("Ready messages in the queue").tags(t).register(registry),
                Gauge.builder("junction.queue.messages.unacked", q, Queue::unackedCount)
                        .description("Delivered, unacknowledged messages").tags(t).register(registry),
                Gauge.builder("junction.queue.messages.paged", q, Queue::pagedCount)
                        .description("Ready messages kept on disk only, beyond the queue's in-memory window")
                        .tags(t).register(registry),
                Gauge.builder("junction.queue.consumers", q, Queue::consumerCount)
                        .description("Consumers of the queue").tags(t).register(registry)));
        meters.addAll(QueueStatsMeters.register(registry, q, t));
        if (q.durable()) {
            meters.add(Gauge.builder("junction.queue.messages.stored", q, this::storedCount)
                    .description("Persistent messages the store holds for the queue, delivered or not")
                    .tags(t).register(registry));
        }
        queueMeters.put(q.name(), meters);
    }

    private double storedCount(Queue q) {
        try {
            return store.count(q.key());
        } catch (IllegalStateException closed) {
            return Double.NaN; // scraped while the broker shuts down
        }
    }

    void queueRemoved(Queue q) {
        removeMeters(q.name());
    }

    /** A stream's own meters ({@link StreamMeters}), for the streams the broker names, as for queues. */
    void streamAdded(Stream s) {
        if (perQueue.test(s.name())) {
            queueMeters.put(s.name(), StreamMeters.register(registry, s, tags.and("queue", s.name())));
        }
    }

    void streamRemoved(Stream s) {
        removeMeters(s.name());
    }

    private void removeMeters(String queue) {
        List<Meter> meters = queueMeters.remove(queue);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }
}
