package dev.junction.routing.policy;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A policy's definition, checked and typed: the keys Junction acts on, each standing for the queue or exchange
 * argument of the same name with an {@code x-} prefix (an exchange's {@code alternate-exchange} has none), and the
 * deduplication plugin's keys, which carry the prefix ({@link DeduplicationPolicy}), and the stream keys
 * ({@link StreamRetentionPolicy}). Values
 * are checked as RabbitMQ's policy validator checks them ({@code rabbit_policies}); a refusal carries its
 * "Validation failed" text. A key Junction does not implement is refused rather than silently kept, so that an
 * operator never believes a policy is in force when it is not (a definitions import drops such keys with a warning
 * instead, since files exported by RabbitMQ carry keys like {@code ha-mode}).
 */
public record PolicyDefinition(Long messageTtl, Long expires, Long maxLength, Long maxLengthBytes, String overflow,
                               String deadLetterExchange, String deadLetterRoutingKey, String alternateExchange,
                               Long deliveryLimit, RetryDelays retryDelays, Long consumerTimeout,
                               DeduplicationPolicy deduplication, StreamRetentionPolicy stream,
                               String deadLetterStrategy) {

    /** The keys a definition may hold, in the order the docs list them. */
    public static final List<String> KEYS = List.of("message-ttl", "expires", "max-length", "max-length-bytes",
            "overflow", "dead-letter-exchange", "dead-letter-routing-key", "alternate-exchange", "delivery-limit",
            "retry-delays", "consumer-timeout", "dead-letter-strategy", DeduplicationPolicy.QUEUE,
            DeduplicationPolicy.CACHE_SIZE, DeduplicationPolicy.CACHE_TTL, StreamRetentionPolicy.MAX_AGE,
            StreamRetentionPolicy.SEGMENT);
    private static final List<String> OVERFLOWS = List.of("drop-head", "reject-publish", "reject-publish-dlx");
    /** A quorum queue's dead-letter strategies (RabbitMQ "Quorum Queues", "Dead Lettering"). */
    private static final List<String> STRATEGIES = List.of("at-most-once", "at-least-once");

    /** What no policy, or a policy without these keys, defines. */
    public static final PolicyDefinition NONE = new PolicyDefinition(null, null, null, null, null, null, null, null,
            null, null, null, DeduplicationPolicy.NONE, StreamRetentionPolicy.NONE, null);

    /** Checks {@code definition}; throws PRECONDITION_FAILED with RabbitMQ's wording on the first problem. */
    public static PolicyDefinition parse(Map<String, Object> definition) {
        if (definition.isEmpty()) {
            throw invalid("no policy provided");
        }
        List<String> unknown = new ArrayList<>();
        for (String key : definition.keySet()) {
            if (!KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw invalid(unknown + " are not recognised policy settings (Junction supports " + KEYS + ")");
        }
        String overflow = string(definition, "overflow", "overflow behaviour");
        if (overflow != null && !OVERFLOWS.contains(overflow)) {
            throw invalid(overflow + " is not a valid overflow behaviour (one of " + OVERFLOWS + ")");
        }
        String strategy = string(definition, "dead-letter-strategy", "dead letter strategy");
        if (strategy != null && !STRATEGIES.contains(strategy)) {
            throw invalid(strategy + " is not a valid dead letter strategy (one of " + STRATEGIES + ")");
        }
        return new PolicyDefinition(
                integer(definition, "message-ttl", 0, "message TTL"),
                integer(definition, "expires", 1, "queue expiry"),
                integer(definition, "max-length", 0, "maximum length"),
                integer(definition, "max-length-bytes", 0, "maximum length in bytes"),
                overflow,
                string(definition, "dead-letter-exchange", "dead letter exchange name"),
                string(definition, "dead-letter-routing-key", "dead letter routing key"),
                string(definition, "alternate-exchange", "alternate exchange name"),
                integer(definition, "delivery-limit", 0, "delivery limit"),
                retryDelays(definition),
                integer(definition, "consumer-timeout", 0, "consumer timeout"),
                DeduplicationPolicy.parse(definition),
                StreamRetentionPolicy.parse(definition),
                strategy);
    }

    private static RetryDelays retryDelays(Map<String, Object> d) {
        String s = string(d, "retry-delays", "list of retry delays");
        if (s == null) {
            return null;
        }
        RetryDelays delays = RetryDelays.parse(s);
        if (delays == null) {
            throw invalid(s + " is not a valid list of retry delays");
        }
        return delays;
    }

    private static Long integer(Map<String, Object> d, String key, long min, String what) {
        Object v = d.get(key);
        if (v == null) {
            return null;
        }
        if (!HeaderValues.isInteger(v) || ((Number) v).longValue() < min) {
            throw invalid(v + " is not a valid " + what);
        }
        return ((Number) v).longValue();
    }

    private static String string(Map<String, Object> d, String key, String what) {
        Object v = d.get(key);
        if (v == null) {
            return null;
        }
        String s = HeaderValues.asString(v);
        if (s == null) {
            throw invalid(v + " is not a valid " + what);
        }
        return s;
    }

    static BrokerException invalid(String problem) {
        return BrokerException.preconditionFailed("Validation failed\n\n" + problem + "\n");
    }
}
