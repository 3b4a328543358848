package dev.junction.routing.queue;

import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The message-deduplication plugin's queue argument {@code x-message-deduplication: true}: a message whose
 * {@code x-deduplication-header} equals that of a message the queue holds (ready or unacknowledged) is not enqueued;
 * once that message has left (acknowledged, expired, dropped, dead-lettered, purged) the key is accepted again. A
 * message without the header is never checked. A refused duplicate is confirmed, so a publisher retrying after a
 * lost confirm leaves one copy.
 *
 * <p>The keys are those of the queue's own messages, so memory follows the queue's length (a key for each message,
 * also for those paged out to the store), and a durable queue rebuilds them at start from its stored messages: a
 * deduplicating queue reads its messages back at start instead of listing their ids only ({@link ReadyMessages}).
 * A purge forgets every key, those of unacknowledged deliveries too. Used on the queue's thread only.
 */
final class QueueDeduplication {
    static final String ARGUMENT = "x-message-deduplication";
    static final String HEADER = "x-deduplication-header";
    private static final QueueDeduplication OFF = new QueueDeduplication(false);

    private final boolean enabled;
    private final Set<String> held = new HashSet<>();

    private QueueDeduplication(boolean enabled) {
        this.enabled = enabled;
    }

    /** For a queue declared with {@code arguments}: on when {@code x-message-deduplication} is true. */
    static QueueDeduplication of(Map<String, Object> arguments) {
        Object v = arguments.get(ARGUMENT);
        boolean on = Boolean.TRUE.equals(v) || "true".equals(HeaderValues.asString(v));
        return on ? new QueueDeduplication(true) : OFF;
    }

    boolean enabled() {
        return enabled;
    }

    /** Whether the queue holds a message with {@code m}'s key (then {@code m} is not enqueued). */
    boolean duplicate(Message m) {
        String k = key(m);
        return k != null && held.contains(k);
    }

    /** A message entered the ready messages. */
    void entered(Message m) {
        String k = key(m);
        if (k != null) {
            held.add(k);
        }
    }

    /** A message left the queue. */
    void left(Message m) {
        String k = key(m);
        if (k != null) {
            held.remove(k);
        }
    }

    /** The ready messages were purged (or the queue deleted). */
    void clear() {
        held.clear();
    }

    private String key(Message m) {
        if (!enabled) {
            return null;
        }
        Object v = m.properties().headers().get(HEADER);
        if (v == null) {
            return null;
        }
        String s = HeaderValues.asString(v);
        return s != null ? s : String.valueOf(v);
    }
}
