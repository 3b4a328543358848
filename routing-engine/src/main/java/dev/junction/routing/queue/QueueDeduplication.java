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
 *
 * <p>The plugin's policy key of the same name turns it on or off while the queue lives (a policy value wins over
 * the argument, as in the plugin). Turned on, the queue knows no keys of the messages it already holds; turned off,
 * it forgets them; either way from then on it is as if declared so.
 */
final class QueueDeduplication {
    static final String ARGUMENT = "x-message-deduplication";
    static final String HEADER = "x-deduplication-header";

    /** Whether the queue was declared with the argument. */
    private final boolean declared;
    /** The queue's arguments in effect, whose policy may turn deduplication on or off; null until given. */
    private EffectiveArguments args;
    /** Whether the last check found deduplication on; a change forgets every key, as the plugin's cache does. */
    private boolean on;
    /** The keys held, made with the first key: most queues never deduplicate. */
    private Set<String> held;
    /** Set while stored messages are restored at start: their keys are noted, none is refused. */
    private boolean restoring;

    private QueueDeduplication(boolean declared) {
        this.declared = declared;
        this.on = declared;
    }

    /** For a queue declared with {@code arguments}: on when {@code x-message-deduplication} is true. */
    static QueueDeduplication of(Map<String, Object> arguments) {
        Object v = arguments.get(ARGUMENT);
        return new QueueDeduplication(Boolean.TRUE.equals(v) || "true".equals(HeaderValues.asString(v)));
    }

    /** Follows the policy keys of {@code arguments} from now on ({@link EffectiveArguments#deduplicates}). */
    QueueDeduplication following(EffectiveArguments arguments) {
        this.args = arguments;
        return this;
    }

    /**
     * Whether the queue was declared deduplicating, so that its stored messages are read back at start to rebuild
     * the keys. A queue deduplicating by policy only starts with no keys after a restart, as with the plugin.
     */
    boolean enabled() {
        return declared;
    }

    /** Whether deduplication is on now: the policy's {@code x-message-deduplication}, else the argument. */
    private boolean on() {
        boolean now = args == null ? declared : args.deduplicates(declared);
        if (now != on) {
            on = now;
            clear();
        }
        return now;
    }

    void restoring(boolean restoring) {
        this.restoring = restoring;
    }

    /** Whether the queue holds a message with {@code m}'s key (then {@code m} is not enqueued). */
    boolean duplicate(Message m) {
        if (restoring) {
            return false;
        }
        String k = key(m);
        return k != null && held != null && held.contains(k);
    }

    /** A message entered the ready messages. */
    void entered(Message m) {
        String k = key(m);
        if (k != null) {
            if (held == null) {
                held = new HashSet<>();
            }
            held.add(k);
        }
    }

    /** A message left the queue. */
    void left(Message m) {
        String k = key(m);
        if (k != null && held != null) {
            held.remove(k);
        }
    }

    /** The ready messages were purged (or the queue deleted). */
    void clear() {
        held = null;
    }

    private String key(Message m) {
        if (!on()) {
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
