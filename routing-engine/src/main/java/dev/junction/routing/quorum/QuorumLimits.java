package dev.junction.routing.quorum;

import dev.junction.routing.queue.DeadLetterStrategy;
import dev.junction.routing.queue.Overflow;
import dev.junction.routing.queue.QueueArguments;

/**
 * The limits of a quorum queue that its replicated log enforces, from the declaration's arguments (RabbitMQ "Queue
 * Length Limit" and "Time-To-Live and Expiration"): {@code x-max-length}, {@code x-max-length-bytes} (the sum of
 * the ready messages' body sizes), {@code x-overflow} ({@code drop-head} or {@code reject-publish}; a quorum queue
 * has no {@code reject-publish-dlx}, {@link QuorumArguments}), {@code x-message-ttl} and {@code x-expires} (the queue
 * deleted once unused that long). {@code -1}: no limit. {@code deadLetterAtLeastOnce}: dead letters stay in the
 * queue until their target confirmed them ({@link #atLeastOnce}).
 */
public record QuorumLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl, long expires,
                           boolean deadLetterAtLeastOnce) {
    /** A queue without limits, as a declaration written before the log carried them. */
    public static final QuorumLimits NONE = new QuorumLimits(-1, -1, false, -1, -1);

    /** Limits without x-expires. */
    public QuorumLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl) {
        this(maxLength, maxBytes, rejectPublish, messageTtl, -1);
    }

    /** Limits that dead-letter at most once. */
    public QuorumLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl, long expires) {
        this(maxLength, maxBytes, rejectPublish, messageTtl, expires, false);
    }

    /** The limits a declaration's arguments ask for. */
    public static QuorumLimits of(QueueArguments a) {
        return new QuorumLimits(a.maxLength() == null ? -1 : a.maxLength(),
                a.maxLengthBytes() == null ? -1 : a.maxLengthBytes(),
                a.overflow() == Overflow.REJECT_PUBLISH,
                a.messageTtl() == null ? -1 : a.messageTtl(),
                a.expires() == null ? -1 : a.expires(),
                atLeastOnce(a));
    }

    /**
     * Whether the queue dead-letters at least once (RabbitMQ "Quorum Queues", "Dead Lettering", at-least-once): asked
     * for with {@code x-dead-letter-strategy}, with {@code x-overflow} {@code reject-publish} and a dead-letter
     * exchange. Without either RabbitMQ falls back to at most once, and so does Junction.
     */
    public static boolean atLeastOnce(QueueArguments a) {
        return a.deadLetterStrategy() == DeadLetterStrategy.AT_LEAST_ONCE && a.overflow() == Overflow.REJECT_PUBLISH
                && a.deadLetterExchange() != null;
    }
}
