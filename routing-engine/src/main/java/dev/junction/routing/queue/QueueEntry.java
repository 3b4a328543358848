package dev.junction.routing.queue;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import java.util.List;

/**
 * A message's place in one queue. Owned by the queue's thread. {@code seq} orders the queue (requeued messages
 * go back to their original position); {@code storeId} is non-zero when the store holds the message for this
 * queue and must be told when it leaves. {@code matched} is the bindings into this queue that routed the message
 * (see {@code Router}), kept for the delivery; null when the entry does not know them (restored at start-up, read
 * back from the store, or reached by name through the default exchange), and the delivery then works them out if
 * asked. It is one reference to a list shared with every other entry the same binding routed: with compressed
 * references it fits in the padding of this object, so an entry costs what it did without it.
 */
final class QueueEntry {
    final Message message;
    final long seq;
    final long storeId;
    final int priority;
    final long expiresAt;
    final List<Binding> matched;
    boolean redelivered;
    int deliveryCount;

    QueueEntry(Message message, long seq, long storeId, int priority, long expiresAt, boolean redelivered,
               List<Binding> matched) {
        this.message = message;
        this.matched = matched;
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
