package dev.junction.routing.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The retained messages of one vhost, one per topic [MQTT-3.3.1-5], kept by the engine in its store. The index
 * (topic and stored size) is cheap to read at start; messages are read one at a time as clients take them.
 */
public interface RetainedRecords {

    /** Replaces the topic's retained message. */
    CompletableFuture<Void> put(String topic, Message message);

    /**
     * Replaces the topic's retained message with one already encoded by {@link MessageBytes#encode}, for a caller
     * that measured the encoding (the retained-bytes budget) and should not pay for it twice.
     */
    CompletableFuture<Void> put(String topic, byte[] encodedMessage);

    /** Clears the topic's retained message [MQTT-3.3.1-6]. */
    CompletableFuture<Void> delete(String topic);

    /** Empty when there is none (or it was cleared since the index was read). */
    Optional<Message> get(String topic);

    /** Topic to stored size in bytes, for the retained-message budget. */
    Map<String, Integer> index();

    /**
     * Registers {@code changed}, told of each retained message of this vhost stored or cleared by another writer
     * than this object's caller: on a cluster node, a retained publish of another node (docs/cluster.md). Gets the
     * topic and the stored size, or -1 for a cleared topic, on a cluster thread. Alone, it is never called.
     */
    default void watch(java.util.function.ObjIntConsumer<String> changed) {
    }
}
