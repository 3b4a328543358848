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
}
