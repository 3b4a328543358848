package dev.junction.routing.queue;

import dev.junction.routing.api.Message;

/**
 * A message's place in one queue. Owned by the queue's thread. {@code seq} orders the queue (requeued messages
 * go back to their original position); {@code storeId} is non-zero when the store holds the message for this
 * queue and must be told when it leaves.
 */
final class QueueEntry {
    final Message message;
    final long seq;
    final long storeId;
    final int priority;
    final long expiresAt;
    boolean redelivered;
    int deliveryCount;

    QueueEntry(Message message, long seq, long storeId, int priority, long expiresAt, boolean redelivered) {
        this.message = message;
        this.seq = seq;
        this.storeId = storeId;
        this.priority = priority;
        this.expiresAt = expiresAt;
        this.redelivered = redelivered;
    }

    int size() {
        return message.bodySize();
    }

    boolean expired(long now) {
        return expiresAt <= now;
    }
}
