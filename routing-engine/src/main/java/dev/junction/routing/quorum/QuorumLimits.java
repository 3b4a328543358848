package dev.junction.routing.quorum;

import dev.junction.routing.queue.Overflow;
import dev.junction.routing.queue.QueueArguments;

/**
 * The limits of a quorum queue that its replicated log enforces, from the declaration's arguments (RabbitMQ "Queue
 * Length Limit" and "Time-To-Live and Expiration"): {@code x-max-length}, {@code x-max-length-bytes} (the sum of
 * the ready messages' body sizes), {@code x-overflow} ({@code drop-head} or {@code reject-publish}; a quorum queue
 * has no {@code reject-publish-dlx}, {@link QuorumArguments}), {@code x-message-ttl} and {@code x-expires} (the queue
 * deleted once unused that long). {@code -1}: no limit.
 */
public record QuorumLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl, long expires) {
    /** A queue without limits, as a declaration written before the log carried them. */
    public static final QuorumLimits NONE = new QuorumLimits(-1, -1, false, -1, -1);

    /** Limits without x-expires. */
    public QuorumLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl) {
        this(maxLength, maxBytes, rejectPublish, messageTtl, -1);
    }

    /** The limits a declaration's arguments ask for. */
    public static QuorumLimits of(QueueArguments a) {
        return new QuorumLimits(a.maxLength() == null ? -1 : a.maxLength(),
                a.maxLengthBytes() == null ? -1 : a.maxLengthBytes(),
                a.overflow() == Overflow.REJECT_PUBLISH,
                a.messageTtl() == null ? -1 : a.messageTtl(),
                a.expires() == null ? -1 : a.expires());
    }
}
