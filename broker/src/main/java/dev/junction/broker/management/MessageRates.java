package dev.junction.broker.management;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VhostStats;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.exchange.ExchangeStats;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueStats.Count;
import dev.junction.routing.stream.Stream;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the engine's message counts into RabbitMQ's {@code message_stats}: each count since start, and its rate per
 * second over the last sampling window ({@code publish}, {@code publish_details: {rate}}, ...). The engine only
 * counts (a queue on its own thread, an exchange and a vhost with adders); one task, {@link #sample()}, run every
 * {@link #INTERVAL_SECONDS} s by the broker, reads every count, keeps it as the next window's start and publishes the
 * rates through volatile maps, so an API request reads them without waiting for any queue.
 *
 * <p>A vhost's delivery-side counts (deliveries, gets, acknowledgements, redeliveries) are the sum of its queues'
 * counts, accumulated window by window so that they do not fall when a queue is deleted; what a queue counted after
 * the last sample before its deletion is lost. The overview adds up the vhosts the caller may see.
 */
public final class MessageRates {
    /** RabbitMQ's default sampling interval ({@code collect_statistics_interval}, 5 s). */
    public static final int INTERVAL_SECONDS = 5;
    /** Vhost fields beyond the queue counts: publishes, confirms, unroutable messages. */
    static final String[] VHOST_OWN = {"publish", "confirm", "drop_unroutable"};
    private static final Count[] COUNTS = Count.values();

    private final RoutingEngine engine;
    // The sampler's thread only.
    private long lastSampleNanos;
    private final Map<String, long[]> vhostQueueTotals = new HashMap<>();
    // Written by the sampler, read by API requests.
    /** By queue or stream (identity). */
    private volatile Map<Object, Window> queues = new IdentityHashMap<>();
    private volatile Map<Object, Window> exchanges = new IdentityHashMap<>();
    private volatile Map<String, Window> vhosts = new HashMap<>();

    public MessageRates(RoutingEngine engine) {
        this.engine = engine;
    }

    /** One window's end: the counts read and the rates since the window before. */
    private record Window(long[] counts, double[] rates) {
    }

    /** Reads every count and computes the rates of the window that ends now. One thread at a time. */
    public synchronized void sample() {
        long now = System.nanoTime();
        double seconds = lastSampleNanos == 0 ? 0 : (now - lastSampleNanos) / 1e9;
        lastSampleNanos = now;
        Map<Object, Window> previousQueues = queues;
        Map<Object, Window> previousExchanges = exchanges;
        Map<String, Window> previousVhosts = vhosts;
        Map<Object, Window> nextQueues = new IdentityHashMap<>();
        Map<Object, Window> nextExchanges = new IdentityHashMap<>();
        Map<String, Window> nextVhosts = new HashMap<>();
        for (VirtualHost v : engine.vhosts()) {
            long[] totals = vhostQueueTotals.computeIfAbsent(v.name(), k -> new long[COUNTS.length]);
            for (Queue q : v.queues()) {
                q.stats().sample(now);
                queue(nextQueues, previousQueues, q, q.stats().counts(), totals, seconds);
            }
            for (Stream s : v.streams().all()) { // a stream's appends, deliveries and acks count as a queue's
                queue(nextQueues, previousQueues, s, s.stats().counts(), totals, seconds);
            }
            VhostStats own = engine.stats(v);
            exchange(nextExchanges, previousExchanges, own.defaultExchange(), own.defaultExchange(), seconds);
            for (Exchange x : v.exchanges()) {
                exchange(nextExchanges, previousExchanges, x, x.stats(), seconds);
            }
            long[] vhostCounts = new long[COUNTS.length + VHOST_OWN.length];
            System.arraycopy(totals, 0, vhostCounts, 0, totals.length);
            vhostCounts[COUNTS.length] = own.published();
            vhostCounts[COUNTS.length + 1] = own.confirmed();
            vhostCounts[COUNTS.length + 2] = own.unroutable();
            Window before = previousVhosts.get(v.name());
            nextVhosts.put(v.name(), window(vhostCounts, before == null ? vhostCounts : before.counts(), seconds));
        }
        vhostQueueTotals.keySet().retainAll(nextVhosts.keySet());
        queues = nextQueues;
        exchanges = nextExchanges;
        vhosts = nextVhosts;
    }

    private static void queue(Map<Object, Window> next, Map<Object, Window> previous, Object key, long[] counts,
                              long[] totals, double seconds) {
        Window before = previous.get(key);
        long[] from = before == null ? new long[COUNTS.length] : before.counts();
        for (int i = 0; i < counts.length; i++) {
            totals[i] += counts[i] - from[i];
        }
        if (before != null || any(counts)) {
            next.put(key, window(counts, from, seconds));
        }
    }

    private static void exchange(Map<Object, Window> next, Map<Object, Window> previous, Object key,
                                 ExchangeStats stats, double seconds) {
        long[] counts = {stats.publishIn(), stats.publishOut()};
        Window before = previous.get(key);
        if (before != null || any(counts)) {
            next.put(key, window(counts, before == null ? new long[2] : before.counts(), seconds));
        }
    }

    private static boolean any(long[] counts) {
        for (long c : counts) {
            if (c != 0) {
                return true;
            }
        }
        return false;
    }

    /** Rates are 0 in the first window, which has no start, and never negative. */
    private static Window window(long[] counts, long[] from, double seconds) {
        double[] rates = new double[counts.length];
        if (seconds > 0) {
            for (int i = 0; i < counts.length; i++) {
                rates[i] = Math.max(0, counts[i] - from[i]) / seconds;
            }
        }
        return new Window(counts, rates);
    }

    // ---- views ----------------------------------------------------------------------------------------------------

    /** A queue's {@code message_stats}: its counts now, the rates of the last window. */
    Map<String, Object> queue(Queue q) {
        return queue(q, q.stats().counts());
    }

    /** A stream's {@code message_stats}, as RabbitMQ lists them for a stream: publish, deliver, ack (no gets). */
    Map<String, Object> stream(Stream s) {
        return queue(s, s.stats().counts());
    }

    private Map<String, Object> queue(Object key, long[] counts) {
        Window w = queues.get(key);
        Map<String, Object> m = new LinkedHashMap<>();
        for (Count c : COUNTS) {
            put(m, c.field(), counts[c.ordinal()], w == null ? 0 : w.rates()[c.ordinal()]);
        }
        deliverGet(m, counts, w == null ? null : w.rates());
        return m;
    }

    /** An exchange's {@code message_stats}; {@code x} null: the default exchange of {@code vhost}. */
    Map<String, Object> exchange(VirtualHost vhost, Exchange x) {
        ExchangeStats stats = x == null ? engine.stats(vhost).defaultExchange() : x.stats();
        Window w = exchanges.get(x == null ? stats : x);
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "publish_in", stats.publishIn(), w == null ? 0 : w.rates()[0]);
        put(m, "publish_out", stats.publishOut(), w == null ? 0 : w.rates()[1]);
        return m;
    }

    /** The {@code message_stats} of the vhosts {@code names}, added up (one vhost, or the overview's). */
    Map<String, Object> vhosts(Iterable<String> names) {
        int n = COUNTS.length + VHOST_OWN.length;
        long[] counts = new long[n];
        double[] rates = new double[n];
        Map<String, Window> all = vhosts;
        for (String name : names) {
            Window w = all.get(name);
            if (w != null) {
                for (int i = 0; i < n; i++) {
                    counts[i] += w.counts()[i];
                    rates[i] += w.rates()[i];
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < VHOST_OWN.length; i++) {
            put(m, VHOST_OWN[i], counts[COUNTS.length + i], rates[COUNTS.length + i]);
        }
        for (Count c : COUNTS) {
            if (c != Count.PUBLISH) { // a vhost's publish is its publishers', not the queue copies
                put(m, c.field(), counts[c.ordinal()], rates[c.ordinal()]);
            }
        }
        deliverGet(m, counts, rates);
        return m;
    }

    /** RabbitMQ's {@code deliver_get}: deliveries and gets, with and without acknowledgement. */
    private static void deliverGet(Map<String, Object> m, long[] counts, double[] rates) {
        Count[] parts = {Count.DELIVER, Count.DELIVER_NO_ACK, Count.GET, Count.GET_NO_ACK};
        long count = 0;
        double rate = 0;
        for (Count c : parts) {
            count += counts[c.ordinal()];
            rate += rates == null ? 0 : rates[c.ordinal()];
        }
        put(m, "deliver_get", count, rate);
    }

    private static void put(Map<String, Object> m, String field, long count, double rate) {
        m.put(field, count);
        m.put(field + "_details", Map.of("rate", Math.round(rate * 10) / 10.0));
    }
}
