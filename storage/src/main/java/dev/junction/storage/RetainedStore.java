package dev.junction.storage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Retained messages, one per (vhost, topic); a put replaces, a delete clears (deleting an absent topic does
 * nothing). Byte arrays are copied in and out as described on {@link MessageStore}.
 *
 * <p>Callers keep only the {@link #index()} in memory (topic and size) and read a message back with {@link #get}
 * when they deliver it, so that many retained messages do not each cost a decoded copy on the heap.
 * <ul>
 *   <li>{@link #index()} and {@link #all()} list the same topics, in no particular order; an entry's
 *       {@link Entry#size()} is the length of its message's {@code data}.</li>
 *   <li>{@link #get} sees a put or delete no later than when its future completes, as {@link #index()} does.</li>
 * </ul>
 */
public interface RetainedStore {

    /** One retained topic without its data. */
    record Entry(String vhost, String topic, int size) {
    }

    CompletableFuture<Void> put(RetainedMessage message);

    CompletableFuture<Void> delete(String vhost, String topic);

    /** Every retained message with its data (recovery and tests; callers that deliver use {@link #get}). */
    List<RetainedMessage> all();

    /** Every retained topic with the size of its data, without copying any data. */
    List<Entry> index();

    /** The retained message of {@code topic} in {@code vhost}, read back, or empty when there is none. */
    Optional<RetainedMessage> get(String vhost, String topic);

    /**
     * Registers {@code watcher}, told of each change this store applies that its caller did not make itself (a
     * cluster node's store applying another node's retained message). A local store has no other writer and never
     * tells anything.
     */
    default void watch(Watcher watcher) {
    }

    /** Told of a retained change made elsewhere. */
    @FunctionalInterface
    interface Watcher {
        /** {@code topic} of {@code vhost} now holds a message of {@code size} bytes, or none when {@code size} < 0. */
        void changed(String vhost, String topic, int size);
    }
}
