package dev.junction.cluster.quorum;

import dev.junction.routing.queue.DeadLetters;
import java.util.List;

/**
 * What applying a log entry makes happen outside the replicated state, called on the group's apply thread in log
 * order on every member. A member acts only on what is its own: it hands a message to a consumer whose id names
 * this node, and only the group's leader dead-letters (once for the cluster). Implementations return at once.
 */
interface QuorumEffects {

    /** The queue assigned message {@code id} to {@code consumer}; {@code returns} is how often it came back. */
    void delivered(String queue, String consumer, long id, byte[] body, int returns);

    /**
     * basic.get: message {@code id} was checked out to {@code getter} ({@link QuorumQueueState#checkout}), and
     * {@code remaining} messages are ready after it. By default an assignment like any other.
     */
    default void checkedOut(String queue, String getter, long id, byte[] body, int returns, int remaining) {
        delivered(queue, getter, id, body, returns);
    }

    /**
     * The message was returned by {@code consumer} more often than the queue's x-delivery-limit allows and left
     * the queue; the consumer's node dead-letters it (at most once, as RabbitMQ's default dead-letter strategy).
     */
    void deadLettered(String queue, String consumer, byte[] body, int returns);

    /** Why the queue dropped a message by itself: the dead-letter reason. */
    enum Drop {
        /** Past x-max-length or x-max-length-bytes under drop-head. */
        MAXLEN(DeadLetters.MAXLEN),
        /** Past x-message-ttl. */
        EXPIRED(DeadLetters.EXPIRED),
        /** Returned more often than x-delivery-limit allows. */
        DELIVERY_LIMIT(DeadLetters.DELIVERY_LIMIT),
        /** Rejected or nacked by a consumer without requeue. */
        REJECTED(DeadLetters.REJECTED);

        private final String reason;

        Drop(String reason) {
            this.reason = reason;
        }

        /** The x-death reason it is dead-lettered with. */
        String reason() {
            return reason;
        }
    }

    /**
     * The queue dropped the message for {@code why} on a command of {@code origin} (a node incarnation's enqueue, or
     * a consumer's return); that node dead-letters it, once for the cluster. Old enqueues name no origin: nobody
     * does.
     */
    default void dropped(String queue, String origin, byte[] body, Drop why) {
    }

    /**
     * A queue with at-least-once dead-lettering dead-lettered {@code message}, which it holds until a settle in the
     * log says its target confirmed it; the group leader's node republishes it ({@link DeadLetterRelay}). Every
     * member hears it, so a new leader knows what is still pending.
     */
    default void deadLetterPending(String queue, PendingDeadLetter message) {
    }

    /** The queue's dead-lettered messages {@code ids} (some perhaps settled before) were confirmed and are gone. */
    default void deadLettersSettled(String queue, long[] ids) {
    }

    /**
     * The queue's messages waiting to be dead-lettered are now exactly {@code pending} (none: it was deleted; or a
     * snapshot was loaded, when this is called for every queue and {@link #deadLettersRestored} first).
     */
    default void deadLettersReplaced(String queue, List<PendingDeadLetter> pending) {
    }

    /** A snapshot was loaded: what was pending before is forgotten; {@link #deadLettersReplaced} follows. */
    default void deadLettersRestored() {
    }

    /** Whether this member now leads its group: only the leader's node republishes pending dead letters. */
    default void leading(boolean leading) {
    }

    /**
     * The consumers of the node with id prefix {@code prefix} were detached in the log, except those starting
     * with {@code keep} (empty: by a group leader that had not heard from that node).
     */
    default void nodeDetached(String prefix, String keep) {
    }

    /**
     * The queue has been unused for its x-expires, judged on the leader's timer of node incarnation {@code origin};
     * that node deletes the queue (its definition, and with it this state), once for the cluster.
     */
    default void unused(String queue, String origin) {
    }

    /** Does nothing: a replica without consumers or dead-letter targets of its own. */
    QuorumEffects NONE = new QuorumEffects() {
        @Override
        public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
        }

        @Override
        public void deadLettered(String queue, String consumer, byte[] body, int returns) {
        }
    };
}
