package dev.junction.storage;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The durable home of everything that must survive a restart.
 *
 * <p>Messages are written once and referenced by the queues they were routed to, so a message fanned out to
 * many durable queues costs one body on disk. A queue's reference goes away when the message is acked,
 * expires or is dropped; the body goes away with its last reference.
 *
 * <p>Every mutating call returns a future that completes once the change is as durable as the store promises
 * (fsynced for the durable store, immediately for the in-memory one). Callers release publisher confirms and
 * protocol acknowledgements from that future, never before. Futures must never complete on the caller's
 * thread while holding store locks, and an implementation must never block a caller for disk I/O: the calls
 * only enqueue work.
 */
public interface MessageStore extends AutoCloseable {

    /** Stores {@code message} once, referenced by every queue in {@code queues} (in each queue's order). */
    CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues);

    /** Drops {@code queue}'s reference to a message: it was acked, expired, dead-lettered or dropped. */
    CompletableFuture<Void> remove(QueueKey queue, long messageId);

    /** Drops every reference held by {@code queue} (queue deleted or purged). */
    CompletableFuture<Void> removeQueue(QueueKey queue);

    /**
     * Reads up to {@code max} of {@code queue}'s messages with ids greater than {@code afterId}, in id order.
     * Used on recovery and to page a long queue in from disk.
     */
    List<StoredMessage> read(QueueKey queue, long afterId, int max);

    /** Number of messages {@code queue} still references. */
    long count(QueueKey queue);

    /** Every queue that references at least one message. */
    Set<QueueKey> queues();

    /** The highest message id ever appended (0 for an empty store), so ids keep increasing after a restart. */
    long highestMessageId();

    DefinitionStore definitions();

    RetainedStore retained();

    SessionStore sessions();

    /** Flushes and releases resources; pending futures complete before this returns. */
    @Override
    void close();
}
