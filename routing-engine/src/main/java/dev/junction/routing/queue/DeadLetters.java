package dev.junction.routing.queue;

import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a dead-lettered copy of a message with RabbitMQ-compatible {@code x-death} history: one table per
 * (queue, reason), most recent first, with a count; plus the {@code x-first-death-*} and
 * {@code x-last-death-*} headers. A per-message expiration moves to {@code original-expiration} so the copy does
 * not expire again in the dead-letter queue.
 */
public final class DeadLetters {
    public static final String REJECTED = "rejected";
    public static final String EXPIRED = "expired";
    public static final String MAXLEN = "maxlen";
    /** Returned to the queue more often than its x-delivery-limit allows (RabbitMQ quorum queues). */
    public static final String DELIVERY_LIMIT = "delivery_limit";

    private DeadLetters() {
    }

    public static Message annotate(Message m, String queue, String reason, Instant now, String deadLetterExchange,
                                   String deadLetterRoutingKey) {
        MessageProperties p = m.properties();
        List<Object> routingKeys = new ArrayList<>();
        routingKeys.add(m.routingKey());
        Object cc = p.header("CC");
        if (cc instanceof List<?> list) {
            routingKeys.addAll(list);
        }
        List<Object> history = new ArrayList<>();
        Map<String, Object> mine = null;
        if (p.header("x-death") instanceof List<?> old) {
            for (Object o : old) {
                if (o instanceof Map<?, ?> t && mine == null && queue.equals(HeaderValues.asString(t.get("queue")))
                        && reason.equals(HeaderValues.asString(t.get("reason")))) {
                    mine = copy(t);
                } else {
                    history.add(o);
                }
            }
        }
        if (mine == null) {
            mine = new LinkedHashMap<>();
            mine.put("count", 0L);
            mine.put("reason", reason);
            mine.put("queue", queue);
        }
        mine.put("count", ((Number) mine.getOrDefault("count", 0L)).longValue() + 1);
        mine.put("time", now);
        mine.put("exchange", m.exchange());
        mine.put("routing-keys", routingKeys);
        if (p.expiration() != null) {
            mine.put("original-expiration", p.expiration());
        }
        history.add(0, mine);

        MessageProperties.Builder b = p.toBuilder().expiration(null).header("x-death", history);
        if (p.header("x-first-death-reason") == null) {
            b.header("x-first-death-reason", reason).header("x-first-death-queue", queue)
                    .header("x-first-death-exchange", m.exchange());
        }
        b.header("x-last-death-reason", reason).header("x-last-death-queue", queue)
                .header("x-last-death-exchange", m.exchange());
        String key = deadLetterRoutingKey != null ? deadLetterRoutingKey : m.routingKey();
        return new Message(deadLetterExchange, key, b.build(), m.body());
    }

    /**
     * True when delivering a dead-lettered message to {@code queue} would close a cycle that no client took part
     * in: the message already died in that queue and was never rejected on the way. RabbitMQ drops such
     * messages instead of looping them forever.
     */
    public static boolean isCycle(Message m, String queue) {
        if (!(m.properties().header("x-death") instanceof List<?> deaths)) {
            return false;
        }
        boolean seen = false;
        for (Object o : deaths) {
            if (o instanceof Map<?, ?> t) {
                if (REJECTED.equals(HeaderValues.asString(t.get("reason")))) {
                    return false;
                }
                seen |= queue.equals(HeaderValues.asString(t.get("queue")));
            }
        }
        return seen;
    }

    private static Map<String, Object> copy(Map<?, ?> t) {
        Map<String, Object> c = new LinkedHashMap<>();
        t.forEach((k, v) -> c.put(String.valueOf(k), v));
        return c;
    }
}
