package dev.junction.storage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Retained messages, one per (vhost, topic); a put replaces, a delete clears. */
public interface RetainedStore {

    CompletableFuture<Void> put(RetainedMessage message);

    CompletableFuture<Void> delete(String vhost, String topic);

    List<RetainedMessage> all();
}
