package dev.junction.bench;

import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.TopicTrie;
import dev.junction.routing.topic.TopicWords;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Topic matching throughput of {@link TopicTrie} on one core: each operation matches one routing key,
 * so the score in ops/s is matches per second per core.
 *
 * <p>The trie holds {@link #bindings} AMQP bindings shaped like device telemetry,
 * {@code tenant<t>.site<s>.device<d>.<metric>} (100 tenants, 50 sites per tenant, one device per binding,
 * 8 metrics). About 5% are device-level wildcards ({@code tenantT.siteS.deviceD.#},
 * {@code tenantT.siteS.deviceD.*}); a few percent more are coarser ones, each bound once: a site-wide
 * metric ({@code tenantT.siteS.*.temperature}), a tenant-wide metric ({@code tenantT.#.humidity}), a
 * tenant's alarms ({@code tenantT.*.*.alarm}) and a site across tenants, starting with a wildcard
 * ({@code *.siteS.#}). Setup prints the wildcard share and the mean number of bindings a key matches.
 * Each operation takes the next of 4,096 routing keys published by devices that have bindings, with a
 * random metric, generated with a fixed seed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TopicRoutingBenchmark {

    private static final String[] METRICS = {
        "temperature", "humidity", "pressure", "voltage", "current", "status", "alarm", "battery"};
    private static final int TENANTS = 100;
    private static final int SITES_PER_TENANT = 50;
    private static final int KEYS = 4096; // a power of two

    @Param({"10000", "100000", "1000000"})
    public int bindings;

    private TopicTrie<Integer> trie;
    private String[] routingKeys;
    private List<List<String>> splitKeys;
    private int next;
    private final CountingSink sink = new CountingSink();

    /** Counts the pairs reported; its count is returned so that the JIT cannot drop the match. */
    static final class CountingSink implements BiConsumer<TopicPattern, Integer> {
        long count;

        @Override
        public void accept(TopicPattern pattern, Integer value) {
            count++;
        }
    }

    @Setup(Level.Trial)
    public void build() {
        Random random = new Random(20_240_501L);
        trie = new TopicTrie<>();
        Set<String> coarseWildcards = new HashSet<>();
        int wildcards = 0;
        for (int i = 0; i < bindings; i++) {
            String key = bindingKey(i, random, coarseWildcards);
            trie.add(TopicPattern.amqp(key), i);
            wildcards += key.indexOf('*') >= 0 || key.indexOf('#') >= 0 ? 1 : 0;
        }
        routingKeys = new String[KEYS];
        splitKeys = new ArrayList<>(KEYS);
        for (int k = 0; k < KEYS; k++) {
            int i = random.nextInt(bindings);
            routingKeys[k] = prefix(i) + ".device" + device(i) + "." + METRICS[random.nextInt(METRICS.length)];
            splitKeys.add(TopicWords.amqp(routingKeys[k]));
        }
        long matched = 0;
        for (List<String> key : splitKeys) {
            sink.count = 0;
            trie.match(key, sink);
            matched += sink.count;
        }
        System.out.printf("%n%,d bindings (%.1f%% with wildcards); %.2f matching bindings per key on average%n",
                trie.size(), 100.0 * wildcards / bindings, (double) matched / KEYS);
    }

    private static String prefix(int i) {
        return "tenant" + (i % TENANTS) + ".site" + (i / TENANTS) % SITES_PER_TENANT;
    }

    private static int device(int i) {
        return i / (TENANTS * SITES_PER_TENANT); // distinct per binding within a site
    }

    /**
     * The binding key of binding {@code i}. Device-level bindings are unique per device; a coarser
     * wildcard (site, tenant, site-across-tenants) that is already bound becomes an exact binding
     * instead, so that a key matches a bounded handful of bindings whatever the trie's size, as when a
     * deployment grows by adding devices.
     */
    private static String bindingKey(int i, Random random, Set<String> coarseWildcards) {
        String device = prefix(i) + ".device" + device(i);
        String metric = METRICS[random.nextInt(METRICS.length)];
        int roll = random.nextInt(1000);
        if (roll < 30) {
            return device + ".#";
        } else if (roll < 50) {
            return device + ".*";
        }
        String coarse = null;
        if (roll < 80) {
            coarse = prefix(i) + ".*." + metric;
        } else if (roll < 85) {
            coarse = "tenant" + (i % TENANTS) + ".#." + metric;
        } else if (roll < 89) {
            coarse = "tenant" + (i % TENANTS) + ".*.*.alarm";
        } else if (roll < 90) {
            coarse = "*.site" + (i / TENANTS) % SITES_PER_TENANT + ".#";
        }
        return coarse != null && coarseWildcards.add(coarse) ? coarse : device + "." + metric;
    }

    /** Matches a routing key that is already split into words. */
    @Benchmark
    public long match() {
        sink.count = 0;
        trie.match(splitKeys.get(next++ & (KEYS - 1)), sink);
        return sink.count;
    }

    /** Splits a routing key string with {@link TopicWords#amqp}, then matches it. */
    @Benchmark
    public long splitAndMatch() {
        sink.count = 0;
        trie.match(TopicWords.amqp(routingKeys[next++ & (KEYS - 1)]), sink);
        return sink.count;
    }
}
