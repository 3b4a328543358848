package dev.junction.storage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Retained messages, one per (vhost, topic); a put replaces, a delete clears (deleting an absent topic does
 * nothing). {@link #all()} is in no particular order. Byte arrays are copied in and out as described on
 * {@link MessageStore}.
 */
public interface RetainedStore {

    CompletableFuture<Void> put(RetainedMessage message);

    CompletableFuture<Void> delete(String vhost, String topic);

    List<RetainedMessage> all();
}
