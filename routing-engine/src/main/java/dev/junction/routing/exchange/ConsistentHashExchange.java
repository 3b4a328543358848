package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * RabbitMQ's {@code x-consistent-hash} exchange: each message goes to exactly one binding, chosen by a hash of its
 * routing key, of the header named by the {@code hash-header} argument, or of the property named by
 * {@code hash-property} ({@code message_id}, {@code correlation_id}, {@code timestamp}). The binding key is the
 * binding's weight, a positive integer: a binding of weight w owns w buckets, and keys spread over buckets.
 *
 * <h2>The ring</h2>
 * As in the plugin since RabbitMQ 3.7.8, buckets are numbered in the order their bindings were made and a key picks
 * its bucket with Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory, Consistent Hash Algorithm"):
 * every bucket is equally likely, so shares follow weights, and a binding added at the end takes about its share
 * of keys from the others and moves no other key. Removing a binding renumbers the buckets after it, as the plugin
 * does. Bindings are recovered at start in the order they were first stored, so a restart rebuilds the same ring.
 * The ring is a snapshot of cumulative weights (one long per binding, not one entry per bucket), replaced whole
 * under the vhost's lock on each binding change and read by publishers without a lock.
 *
 * <p>The hash of the chosen value (its UTF-8 bytes) is FNV-1a followed by a 64-bit finalizer: the same on every
 * JVM and run. A message without the named header or property hashes as the empty value, so such messages all go
 * to one queue, as the plugin documents.
 */
final class ConsistentHashExchange extends Exchange {
    static final String HASH_HEADER = "hash-header";
    static final String HASH_PROPERTY = "hash-property";
    private static final Set<String> PROPERTIES = Set.of("message_id", "correlation_id", "timestamp");

    /** The bindings in the order they were made, with the end of each one's bucket range. Immutable. */
    private record Ring(List<List<Binding>> routes, long[] ends) {
        static final Ring EMPTY = new Ring(List.of(), new long[0]);

        long buckets() {
            return ends.length == 0 ? 0 : ends[ends.length - 1];
        }

        /** The binding that owns {@code bucket}: the first whose range ends after it. */
        List<Binding> owner(long bucket) {
            int lo = 0;
            int hi = ends.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ends[mid] > bucket) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return routes.get(lo);
        }
    }

    private final String hashHeader;
    private final String hashProperty;
    private volatile Ring ring = Ring.EMPTY;

    ConsistentHashExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.CONSISTENT_HASH);
        Object header = spec.arguments().get(HASH_HEADER);
        Object property = spec.arguments().get(HASH_PROPERTY);
        if (header != null && property != null) {
            throw BrokerException.preconditionFailed("hash-header and hash-property are mutually exclusive");
        }
        hashHeader = text(header, HASH_HEADER);
        hashProperty = text(property, HASH_PROPERTY);
        if (hashProperty != null && !PROPERTIES.contains(hashProperty)) {
            throw BrokerException.preconditionFailed("Unsupported property: " + hashProperty);
        }
    }

    private static String text(Object value, String argument) {
        if (value == null) {
            return null;
        }
        String s = HeaderValues.asString(value);
        if (s == null) {
            throw BrokerException.preconditionFailed("invalid arg '" + argument + "' for exchange: expected longstr");
        }
        return s;
    }

    /** The binding's weight; RabbitMQ's {@code validate_binding} texts for a key that is not a positive integer. */
    static long weight(Binding binding) {
        long w;
        try {
            w = Long.parseLong(binding.routingKey());
        } catch (NumberFormatException e) {
            throw BrokerException.preconditionFailed(
                    "The binding key must be an integer: <<\"" + binding.routingKey() + "\">>");
        }
        if (w < 1) {
            throw BrokerException.preconditionFailed("The binding key must be greater than 0");
        }
        return w;
    }

    @Override
    public boolean bind(Binding binding) {
        long w = weight(binding);
        Ring r = ring;
        if (r.routes.contains(alone(binding))) {
            return false;
        }
        List<List<Binding>> routes = new ArrayList<>(r.routes);
        routes.add(alone(binding));
        long[] ends = java.util.Arrays.copyOf(r.ends, r.ends.length + 1);
        ends[r.ends.length] = Math.addExact(r.buckets(), w);
        ring = new Ring(List.copyOf(routes), ends);
        return true;
    }

    @Override
    public boolean unbind(Binding binding) {
        Ring r = ring;
        int at = r.routes.indexOf(alone(binding));
        if (at < 0) {
            return false;
        }
        List<List<Binding>> routes = new ArrayList<>(r.routes);
        routes.remove(at);
        long[] ends = new long[routes.size()];
        long total = 0;
        for (int i = 0; i < ends.length; i++) {
            total += weight(routes.get(i).get(0));
            ends[i] = total;
        }
        ring = new Ring(List.copyOf(routes), ends);
        return true;
    }

    /** The message's own key only: the plugin hashes the first routing key, CC and BCC aside. */
    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        List<Binding> chosen = choose(message);
        if (chosen != null) {
            sink.accept(chosen);
        }
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        List<Binding> chosen = choose(message);
        return chosen != null && chosen.get(0).equals(binding);
    }

    private List<Binding> choose(Message message) {
        Ring r = ring;
        long buckets = r.buckets();
        if (buckets == 0) {
            return null;
        }
        return r.owner(jump(hash(valueOf(message)), buckets));
    }

    /** What the exchange hashes: the header or property it was declared with, else the routing key. */
    String valueOf(Message message) {
        MessageProperties p = message.properties();
        if (hashHeader != null) {
            Object v = p.headers().get(hashHeader);
            String s = HeaderValues.asString(v);
            return s != null ? s : v == null ? "" : String.valueOf(v);
        }
        if (hashProperty != null) {
            return switch (hashProperty) {
                case "message_id" -> p.messageId() == null ? "" : p.messageId();
                case "correlation_id" -> p.correlationId() == null ? "" : p.correlationId();
                default -> p.timestamp() == null ? "" : Long.toString(p.timestamp().getEpochSecond());
            };
        }
        return message.routingKey();
    }

    /** FNV-1a over the UTF-8 bytes, then a 64-bit finalizer so that nearby keys land far apart. */
    static long hash(String value) {
        long h = 0xcbf29ce484222325L;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Jump consistent hash (Lamping and Veach, 2014): the bucket in [0, buckets) for {@code key}. */
    static long jump(long key, long buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return b;
    }

    @Override
    public Collection<Binding> bindings() {
        return ring.routes.stream().map(one -> one.get(0)).toList();
    }
}
