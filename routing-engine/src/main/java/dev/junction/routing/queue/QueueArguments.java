package dev.junction.routing.queue;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.policy.RetryDelays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The queue arguments the engine acts on, validated at declaration. Unknown arguments are accepted and kept,
 * as RabbitMQ does, but take no part in equivalence.
 */
public record QueueArguments(
        Long messageTtl,
        Long expires,
        Long maxLength,
        Long maxLengthBytes,
        Overflow overflow,
        String deadLetterExchange,
        String deadLetterRoutingKey,
        int maxPriority,
        boolean singleActiveConsumer,
        Long deliveryLimit,
        RetryDelays retryDelays,
        Long consumerTimeout,
        DeadLetterStrategy deadLetterStrategy) {

    /** Arguments whose values must match when a queue is redeclared. */
    static final List<String> EQUIVALENCE_KEYS = List.of("x-message-ttl", "x-expires", "x-max-length",
            "x-max-length-bytes", "x-overflow", "x-dead-letter-exchange", "x-dead-letter-routing-key",
            "x-max-priority", "x-single-active-consumer", "x-queue-type", "x-delivery-limit", "x-retry-delays",
            "x-consumer-timeout", "x-dead-letter-strategy");

    public static QueueArguments parse(Map<String, Object> args, String what) {
        Long ttl = nonNegative(args, "x-message-ttl", what);
        Long expires = nonNegative(args, "x-expires", what);
        if (expires != null && expires == 0) {
            throw invalid("x-expires", what, "must be a positive integer, got 0");
        }
        Long maxLength = nonNegative(args, "x-max-length", what);
        Long maxBytes = nonNegative(args, "x-max-length-bytes", what);
        Overflow overflow = Overflow.DROP_HEAD;
        if (args.containsKey("x-overflow")) {
            String s = HeaderValues.asString(args.get("x-overflow"));
            overflow = s == null ? null : Overflow.fromWireName(s);
            if (overflow == null) {
                throw invalid("x-overflow", what, "must be one of drop-head, reject-publish, reject-publish-dlx, got "
                        + describe(args.get("x-overflow")));
            }
        }
        String dlx = string(args, "x-dead-letter-exchange", what);
        String dlrk = string(args, "x-dead-letter-routing-key", what);
        if (dlrk != null && dlx == null) {
            throw invalid("x-dead-letter-routing-key", what, "requires x-dead-letter-exchange to be set");
        }
        Long maxPriority = nonNegative(args, "x-max-priority", what);
        if (maxPriority != null && maxPriority > 255) {
            throw invalid("x-max-priority", what, "must be between 0 and 255, got " + maxPriority);
        }
        boolean sac = false;
        if (args.containsKey("x-single-active-consumer")) {
            if (!(args.get("x-single-active-consumer") instanceof Boolean b)) {
                throw invalid("x-single-active-consumer", what,
                        "must be a boolean, got " + describe(args.get("x-single-active-consumer")));
            }
            sac = b;
        }
        if (args.containsKey("x-queue-type")) {
            String type = HeaderValues.asString(args.get("x-queue-type"));
            if (!"classic".equals(type) && !"stream".equals(type) && !"quorum".equals(type)) { // routing.quorum too
                throw invalid("x-queue-type", what, "only 'classic', 'quorum' and 'stream' queues are supported, got "
                        + describe(args.get("x-queue-type")));
            }
        }
        // x-delivery-limit and x-consumer-timeout are checked as RabbitMQ checks them (non-negative integers).
        Long deliveryLimit = nonNegative(args, "x-delivery-limit", what);
        Long consumerTimeout = nonNegative(args, "x-consumer-timeout", what);
        RetryDelays retryDelays = null;
        if (args.containsKey("x-retry-delays")) {
            Object v = args.get("x-retry-delays");
            retryDelays = RetryDelays.parse(HeaderValues.asString(v));
            if (retryDelays == null) {
                throw invalid("x-retry-delays", what, "must be a list of delays such as '1s,10s,1m', got "
                        + describe(v));
            }
        }
        DeadLetterStrategy strategy = DeadLetterStrategy.AT_MOST_ONCE;
        if (args.containsKey("x-dead-letter-strategy")) {
            strategy = DeadLetterStrategy.fromWireName(HeaderValues.asString(args.get("x-dead-letter-strategy")));
            if (strategy == null) {
                throw invalid("x-dead-letter-strategy", what, "must be one of at-most-once, at-least-once, got "
                        + describe(args.get("x-dead-letter-strategy")));
            }
        }
        return new QueueArguments(ttl, expires, maxLength, maxBytes, overflow, dlx, dlrk,
                maxPriority == null ? 0 : maxPriority.intValue(), sac, deliveryLimit, retryDelays, consumerTimeout,
                strategy);
    }

    /** True when a queue holding {@code count} ready messages of {@code bytes} in all is past its limits. */
    boolean overLimit(long count, long bytes) {
        return (maxLength != null && count > maxLength) || (maxLengthBytes != null && bytes > maxLengthBytes);
    }

    /** The message's priority lane: absent or negative is 0, above x-max-priority is x-max-priority. */
    int priorityOf(dev.junction.routing.api.Message m) {
        Integer p = m.properties().priority();
        return p == null || p < 0 ? 0 : Math.min(p, maxPriority);
    }

    /** When the message expires: the lower of x-message-ttl and its own expiration, from {@code now}. */
    long expiryOf(dev.junction.routing.api.Message m, long now) {
        long ttl = messageTtl == null ? Long.MAX_VALUE : messageTtl;
        String expiration = m.properties().expiration();
        if (expiration != null) {
            try {
                ttl = Math.min(ttl, Long.parseLong(expiration));
            } catch (NumberFormatException e) {
                // Adapters validate expiration at publish; a stored oddity just does not expire.
            }
        }
        // A TTL too large to add to the clock never expires (it wrapped round to the past, and expired at once).
        return ttl > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttl;
    }

    /** Throws 406 naming the first argument whose value differs from the existing queue's. */
    public static void checkEquivalent(Map<String, Object> current, Map<String, Object> requested, String what) {
        for (String key : EQUIVALENCE_KEYS) {
            Object a = current.get(key);
            Object b = requested.get(key);
            if (!(a == null ? b == null : b != null && sameTypeClass(a, b) && HeaderValues.equal(a, b))) {
                throw BrokerException.preconditionFailed("inequivalent arg '" + key + "' for " + what
                        + ": received " + describe(b) + " but current is " + describe(a));
            }
        }
    }

    /**
     * RabbitMQ compares argument values within a type class: integers of any width are alike, but an integer and a
     * float are not, so x-message-ttl 10 and 10.0 are inequivalent (406) even though the numbers are equal.
     */
    private static boolean sameTypeClass(Object a, Object b) {
        return typeClass(a).equals(typeClass(b));
    }

    private static String typeClass(Object v) {
        if (HeaderValues.isInteger(v)) {
            return "integer";
        }
        if (HeaderValues.asString(v) != null) {
            return "string";
        }
        return v.getClass().getName();
    }

    private static Long nonNegative(Map<String, Object> args, String key, String what) {
        if (!args.containsKey(key)) {
            return null;
        }
        Object v = args.get(key);
        if (!HeaderValues.isInteger(v)) {
            throw invalid(key, what, "must be an integer, got " + describe(v));
        }
        long n = ((Number) v).longValue();
        if (n < 0) {
            throw invalid(key, what, "must not be negative, got " + n);
        }
        return n;
    }

    private static String string(Map<String, Object> args, String key, String what) {
        if (!args.containsKey(key)) {
            return null;
        }
        String s = HeaderValues.asString(args.get(key));
        if (s == null) {
            throw invalid(key, what, "must be a string, got " + describe(args.get(key)));
        }
        return s;
    }

    private static BrokerException invalid(String key, String what, String problem) {
        return BrokerException.preconditionFailed("invalid arg '" + key + "' for " + what + ": " + problem);
    }

    static String describe(Object v) {
        if (v == null) {
            return "none";
        }
        String s = HeaderValues.asString(v);
        return s != null ? "'" + s + "'" : "'" + Objects.toString(v) + "' (" + v.getClass().getSimpleName() + ")";
    }
}
