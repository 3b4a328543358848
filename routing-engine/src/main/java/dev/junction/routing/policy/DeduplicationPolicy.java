package dev.junction.routing.policy;

import dev.junction.routing.api.HeaderValues;
import java.util.Map;

/**
 * The policy keys of the message-deduplication plugin (its releases from 0.6.0, for RabbitMQ 3.11 and later), named
 * like its arguments, {@code x-} prefix included: {@code x-message-deduplication} turns a queue's deduplication on or
 * off, and {@code x-cache-size} and {@code x-cache-ttl} set a deduplication exchange's cache. As in the plugin a
 * policy value wins over the argument of the same name. Values are checked with the plugin's policy validator's
 * texts. The plugin's {@code x-cache-persistence} is not a key here: Junction keeps a durable exchange's keys on disk
 * and a transient one's in memory, whatever is asked, so the key is refused as unknown.
 *
 * @param messageDeduplication null when the policy does not say
 * @param cacheSize null when the policy does not say
 * @param cacheTtl milliseconds; null when the policy does not say
 */
public record DeduplicationPolicy(Boolean messageDeduplication, Long cacheSize, Long cacheTtl) {
    public static final String QUEUE = "x-message-deduplication";
    public static final String CACHE_SIZE = "x-cache-size";
    public static final String CACHE_TTL = "x-cache-ttl";

    static final DeduplicationPolicy NONE = new DeduplicationPolicy(null, null, null);

    static DeduplicationPolicy parse(Map<String, Object> definition) {
        Object on = definition.get(QUEUE);
        if (on != null && !(on instanceof Boolean)) {
            throw PolicyDefinition.invalid("'" + QUEUE + "' must be a boolean, got " + on);
        }
        return new DeduplicationPolicy((Boolean) on, positive(definition, CACHE_SIZE), positive(definition, CACHE_TTL));
    }

    private static Long positive(Map<String, Object> d, String key) {
        Object v = d.get(key);
        if (v == null) {
            return null;
        }
        if (!HeaderValues.isInteger(v) || ((Number) v).longValue() < 1
                || (key.equals(CACHE_SIZE) && ((Number) v).longValue() > Integer.MAX_VALUE)) {
            throw PolicyDefinition.invalid("'" + key + "' must be an integer greater than 0, got " + v);
        }
        return ((Number) v).longValue();
    }
}
