package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.policy.DeduplicationPolicy;
import dev.junction.routing.policy.PolicyDefinition;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * The message-deduplication plugin's {@code x-message-deduplication} exchange: routes like fanout, except that a
 * message whose {@code x-deduplication-header} value was seen within the window is routed nowhere. The window is
 * the per-message {@code x-cache-ttl} header, else the exchange's {@code x-cache-ttl} (milliseconds; a policy's,
 * else the argument), else until the key is evicted; the required {@code x-cache-size} argument (or a policy's)
 * bounds the keys remembered. A message
 * without the header is never checked. A dropped duplicate is confirmed like any message that reached no queue, so
 * a publisher that republishes after a lost confirm leaves one copy.
 *
 * <p>A durable exchange's keys survive a restart: each recorded or forgotten key is written to the store (see
 * {@link DeduplicationCache}), so memory holds at most {@code x-cache-size} keys and the disk as many. A key is
 * queued to the store before the message it lets through, and the group commit that makes that message durable
 * forces the key too, so the key of every confirmed persistent message survives a crash
 * (DeduplicationCrashRecoveryTest); a key whose message was not stored rides on the next group commit and may be
 * missing after a crash. A transient exchange keeps its keys in memory only.
 */
final class DeduplicationExchange extends Exchange {
    static final String HEADER = "x-deduplication-header";
    static final String CACHE_SIZE = "x-cache-size";
    static final String CACHE_TTL = "x-cache-ttl";

    private final Set<List<Binding>> all = new CopyOnWriteArraySet<>();
    private final DeduplicationCache cache;
    private final int declaredSize;
    private final long declaredTtl;
    /** The argument's, or a policy's {@code x-cache-ttl}; 0 for none. */
    private volatile long ttlMillis;

    DeduplicationExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.MESSAGE_DEDUPLICATION);
        Map<String, Object> args = spec.arguments();
        long size = positive(args.get(CACHE_SIZE));
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw BrokerException.preconditionFailed(
                    "Missing or invalid argument, '" + CACHE_SIZE + "' must be an integer greater than 0");
        }
        Object ttl = args.get(CACHE_TTL);
        declaredTtl = ttl == null ? 0 : positive(ttl);
        if (ttl != null && declaredTtl < 1) {
            throw BrokerException.preconditionFailed(
                    "Invalid argument, '" + CACHE_TTL + "' must be an integer greater than 0");
        }
        ttlMillis = declaredTtl;
        declaredSize = (int) size;
        cache = new DeduplicationCache(declaredSize);
    }

    /**
     * The plugin's policy keys {@code x-cache-size} and {@code x-cache-ttl} win over the arguments while the policy
     * applies, and the arguments are back once it no longer does; a smaller size evicts at once.
     */
    @Override
    protected void policyChanged(PolicyDefinition definition) {
        DeduplicationPolicy p = definition.deduplication();
        ttlMillis = p.cacheTtl() != null ? p.cacheTtl() : declaredTtl;
        cache.resize(p.cacheSize() != null ? p.cacheSize().intValue() : declaredSize, System.currentTimeMillis());
    }

    /** An integer argument or header, also as a numeric string (clients that send only strings); else -1. */
    static long positive(Object v) {
        if (HeaderValues.isInteger(v)) {
            return ((Number) v).longValue();
        }
        String s = HeaderValues.asString(v);
        if (s != null) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public boolean bind(Binding binding) {
        return all.add(alone(binding));
    }

    @Override
    public boolean unbind(Binding binding) {
        return all.remove(alone(binding));
    }

    /**
     * The router calls this once for the message's own key and once more for its CC/BCC keys; the second call finds
     * the key just recorded and emits nothing, which changes nothing since the first emitted every binding.
     */
    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        if (!firstSeen(message)) {
            return;
        }
        all.forEach(sink);
    }

    private boolean firstSeen(Message message) {
        Map<String, Object> headers = message.properties().headers();
        Object key = headers.get(HEADER);
        if (key == null) {
            return true;
        }
        long perMessage = headers.containsKey(CACHE_TTL) ? positive(headers.get(CACHE_TTL)) : -1;
        long ttl = perMessage > 0 ? perMessage : ttlMillis;
        return cache.firstSeen(keyText(key), ttl, System.currentTimeMillis());
    }

    /** The header as text: a string as is, another value by its printed form (numbers are common keys). */
    static String keyText(Object key) {
        String s = HeaderValues.asString(key);
        return s != null ? s : String.valueOf(key);
    }

    @Override
    public void keepStateIn(ExchangeState state) {
        cache.keepIn(state);
    }

    @Override
    public void recoverState(String key, byte[] data) {
        cache.restore(key, data, System.currentTimeMillis());
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return true;
    }

    @Override
    public Collection<Binding> bindings() {
        return all.stream().map(one -> one.get(0)).toList();
    }
}
