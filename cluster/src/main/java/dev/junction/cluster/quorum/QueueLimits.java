package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A quorum queue's length limits and message TTL as its replicas enforce them (RabbitMQ "Queue Length Limit",
 * "Time-To-Live and Expiration"), from its declaration in the log ({@link QuorumCommand.Op#DECLARE}). Counted over
 * the ready messages, as RabbitMQ's quorum queues count them: a message checked out to a consumer does not count
 * until it comes back. {@code -1}: no such limit.
 *
 * @param maxLength x-max-length: the most ready messages
 * @param maxBytes x-max-length-bytes: the most body bytes of the ready messages
 * @param rejectPublish x-overflow reject-publish: a message over a limit is refused; else drop-head: the oldest
 *     ready messages leave until the queue is within its limits
 * @param messageTtl x-message-ttl in milliseconds
 * @param expires x-expires in milliseconds: the queue is deleted once unused that long (RabbitMQ "Time-To-Live and
 *     Expiration", "Queue TTL")
 * @param deadLetterAtLeastOnce x-dead-letter-strategy at-least-once was asked for; it applies under reject-publish
 *     only ({@link #atLeastOnce}), as in RabbitMQ. Declared with the limits because it depends on the overflow.
 */
record QueueLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl, long expires,
                   boolean deadLetterAtLeastOnce) {
    static final QueueLimits NONE = new QueueLimits(-1, -1, false, -1, -1);

    /** Limits without x-expires. */
    QueueLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl) {
        this(maxLength, maxBytes, rejectPublish, messageTtl, -1);
    }

    /** Limits dead-lettering at most once. */
    QueueLimits(long maxLength, long maxBytes, boolean rejectPublish, long messageTtl, long expires) {
        this(maxLength, maxBytes, rejectPublish, messageTtl, expires, false);
    }

    /**
     * Whether dead-lettered messages stay in the queue until their target confirms them (RabbitMQ "Quorum Queues",
     * at-least-once dead-lettering): asked for, and under reject-publish, without which RabbitMQ falls back to at
     * most once (a drop-head queue would have to drop what it holds for its targets).
     */
    boolean atLeastOnce() {
        return deadLetterAtLeastOnce && rejectPublish;
    }

    /**
     * The limits in a declaration's {@code ids} (after single active consumer); none in an older one, no x-expires
     * in one written before it was carried, and at-most-once dead-lettering in one written before the strategy was.
     */
    static QueueLimits declared(long[] ids) {
        if (ids.length < 5) {
            return NONE;
        }
        return new QueueLimits(ids[1], ids[2], ids[3] == QuorumCommand.REJECT_PUBLISH, ids[4],
                ids.length > 5 ? ids[5] : -1, ids.length > 6 && ids[6] == QuorumCommand.AT_LEAST_ONCE);
    }

    /** A declaration's {@code ids}: single active consumer, then these limits, then the dead-letter strategy. */
    long[] encode(boolean singleActive) {
        long overflow = rejectPublish ? QuorumCommand.REJECT_PUBLISH : 0;
        long strategy = deadLetterAtLeastOnce ? QuorumCommand.AT_LEAST_ONCE : 0;
        return new long[] {singleActive ? 1 : 0, maxLength, maxBytes, overflow, messageTtl, expires, strategy};
    }

    /** Whether {@code count} ready messages of {@code bytes} body bytes in all are past a limit. */
    boolean over(long count, long bytes) {
        return (maxLength >= 0 && count > maxLength) || (maxBytes >= 0 && bytes > maxBytes);
    }

    /**
     * Whether a queue holding {@code count} ready messages of {@code bytes} refuses one more of {@code size} bytes:
     * under reject-publish, when it would be past a limit (RabbitMQ "Queue Length Limit", "Overflow Behaviour").
     */
    boolean refuses(long count, long bytes, long size) {
        return rejectPublish && over(count + 1, bytes + size);
    }

    /** When a message published at {@code publishedAt} expires (epoch milliseconds), or -1 if it never does. */
    long expiresAt(long publishedAt) {
        return messageTtl >= 0 && publishedAt > 0 ? publishedAt + messageTtl : -1;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(maxLength);
        out.writeLong(maxBytes);
        out.writeBoolean(rejectPublish);
        out.writeLong(messageTtl);
        out.writeLong(expires);
        out.writeBoolean(deadLetterAtLeastOnce);
    }

    /** Reads the limits as {@link #write} wrote them. */
    static QueueLimits read(DataInputStream in) throws IOException {
        return read(in, SnapshotFormat.CURRENT);
    }

    /**
     * Reads the limits from a snapshot in {@code format}: one before x-expires was carried has none, one before the
     * dead-letter strategy was dead-letters at most once.
     */
    static QueueLimits read(DataInputStream in, SnapshotFormat format) throws IOException {
        return new QueueLimits(in.readLong(), in.readLong(), in.readBoolean(), in.readLong(),
                format.carriesIdleExpiry() ? in.readLong() : -1,
                format.carriesPendingDeadLetters() && in.readBoolean());
    }
}
