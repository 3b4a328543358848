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
 * only enqueue work. One exception to "fsynced": an append whose message loses its last reference (every queue
 * acked or dropped it) before the durable store wrote it may complete then, unwritten, because a crash can no
 * longer lose anything the publisher was promised; RabbitMQ confirms a persistent message "when it is persisted
 * to disk, or when it is consumed on every queue" in the same way.
 *
 * <p>A removal ({@link #remove}, {@link #removeQueue}) is fsynced before its future completes too, but the durable
 * store may let it wait a little (up to its group commit wait) for a write that needs an fsync anyway, so that an
 * ack shares the next publish's fsync. Callers therefore never hold a client's answer on a removal's future (an
 * ack, purge or queue delete is answered without it): a removal lost in a crash only brings an acked message back
 * for another delivery, which at-least-once allows, and never loses a confirmed one.
 *
 * <p>Rules every implementation follows (the contract test in the test-jar checks them):
 * <ul>
 *   <li><b>Visibility.</b> A change is visible to {@link #read}, {@link #count}, {@link #queues} and
 *       {@link #highestMessageId} no later than when its future completes.</li>
 *   <li><b>Byte arrays.</b> The store copies every {@code byte[]} it is given before the call returns and hands
 *       out fresh copies, so callers may reuse or mutate arrays they pass in or get back without affecting stored
 *       data. This holds for the {@link DefinitionStore}, {@link RetainedStore} and {@link SessionStore} too.</li>
 *   <li><b>Nulls.</b> Arguments, and record components such as {@code data}, must not be null
 *       ({@link NullPointerException}).</li>
 *   <li><b>Close.</b> After {@link #close()} every method of this store and of its definition, retained and
 *       session stores throws {@link IllegalStateException}; closing again does nothing.</li>
 *   <li><b>Threads.</b> All methods may be called from any thread concurrently.</li>
 * </ul>
 */
public interface MessageStore extends AutoCloseable {

    /**
     * Stores {@code message} once, referenced by every queue in {@code queues} (in each queue's order).
     * Ids are positive (an {@link IllegalArgumentException} otherwise), so paging from 0 sees every message.
     * A queue listed twice holds one reference. Concurrent publishers may append ids out of order; a queue's
     * order is always id order. With no queues nothing is stored, but the id still counts towards
     * {@link #highestMessageId()}. Appending an id that is still stored is an engine bug; implementations may
     * reject it with {@link IllegalArgumentException}.
     */
    CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues);

    /**
     * Drops {@code queue}'s reference to a message: it was acked, expired, dead-lettered or dropped. Dropping a
     * reference the queue does not hold does nothing, and the future still completes normally.
     */
    CompletableFuture<Void> remove(QueueKey queue, long messageId);

    /**
     * Drops {@code queue}'s references to each of {@code messageIds} at once (a purge): the same as one
     * {@link #remove(QueueKey, long)} per id, with one future, and without one command object per message.
     */
    default CompletableFuture<Void> remove(QueueKey queue, long[] messageIds) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[messageIds.length];
        for (int i = 0; i < messageIds.length; i++) {
            all[i] = remove(queue, messageIds[i]);
        }
        return CompletableFuture.allOf(all);
    }

    /** Drops every reference held by {@code queue} (queue deleted). */
    CompletableFuture<Void> removeQueue(QueueKey queue);

    /**
     * Reads up to {@code max} of {@code queue}'s messages with ids greater than {@code afterId}, in id order.
     * Used on recovery and to page a long queue in from disk. An unknown queue or {@code max == 0} gives an
     * empty list; a negative {@code max} is an {@link IllegalArgumentException}.
     */
    List<StoredMessage> read(QueueKey queue, long afterId, int max);

    /**
     * Reads those of {@code ids} that {@code queue} still references, in the order given, leaving out the rest.
     * A queue that keeps most of its backlog on disk pages it back in with this, by the ids it remembers.
     */
    List<StoredMessage> read(QueueKey queue, long[] ids);

    /**
     * Up to {@code max} of {@code queue}'s message ids greater than {@code afterId}, in id order, each with the
     * size of its stored data, without reading a body: a queue recovers a long backlog as ids alone. An unknown
     * queue or {@code max == 0} gives an empty page; a negative {@code max} is an {@link IllegalArgumentException}.
     */
    IdPage ids(QueueKey queue, long afterId, int max);

    /** Number of messages {@code queue} still references. */
    long count(QueueKey queue);

    /** Every queue that references at least one message (a snapshot, not a live view). */
    Set<QueueKey> queues();

    /** The highest message id ever appended (0 for an empty store), so ids keep increasing after a restart. */
    long highestMessageId();

    /**
     * Whether the store makes writes durable now. A store that meets a write error (a full disk) fails the
     * futures of the writes it cannot make durable, says false here, and keeps trying: once it writes again it
     * says true, and the writes it held meanwhile are on disk. The engine blocks publishers while it is false.
     */
    default boolean writable() {
        return true;
    }

    /**
     * The {@link TimeIndex} of {@code holder}, a key whose stored messages are held until a due time (a delayed
     * exchange's). The holder opens it once and keeps it; what it holds survives a restart as the messages do.
     */
    TimeIndex timeIndex(QueueKey holder);

    DefinitionStore definitions();

    RetainedStore retained();

    SessionStore sessions();

    /**
     * Where streams ({@code x-queue-type: stream}) keep their logs: next to the messages for the durable store.
     * Streams are always durable, so a store that keeps nothing on disk still writes them to files (in a temporary
     * directory for the in-memory store).
     */
    default dev.junction.storage.stream.StreamLogs streams() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no streams");
    }

    /** Flushes and releases resources; pending futures complete before this returns. */
    @Override
    void close();
}
