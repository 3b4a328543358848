package dev.junction.cluster;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The node's local store with its definitions and small retained messages replicated: messages, sessions and
 * time indexes are the local store's own (classic queues stay on their node), {@link #definitions()} and
 * {@link #retained()} go through the metadata log. Closing it closes nothing: the broker closes the local store it opened.
 */
final class ClusterStore implements MessageStore {

    private final MessageStore local;
    private final DefinitionStore definitions;
    private final RetainedStore retained;

    ClusterStore(MessageStore local, DefinitionStore definitions, RetainedStore retained) {
        this.local = local;
        this.definitions = definitions;
        this.retained = retained;
    }

    @Override
    public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues) {
        return local.append(message, queues);
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
        return local.remove(queue, messageId);
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long[] messageIds) {
        return local.remove(queue, messageIds);
    }

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        return local.removeQueue(queue);
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
        return local.read(queue, afterId, max);
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        return local.read(queue, ids);
    }

    @Override
    public IdPage ids(QueueKey queue, long afterId, int max) {
        return local.ids(queue, afterId, max);
    }

    @Override
    public long count(QueueKey queue) {
        return local.count(queue);
    }

    @Override
    public Set<QueueKey> queues() {
        return local.queues();
    }

    @Override
    public long highestMessageId() {
        return local.highestMessageId();
    }

    @Override
    public boolean writable() {
        return local.writable();
    }

    @Override
    public TimeIndex timeIndex(QueueKey holder) {
        return local.timeIndex(holder);
    }

    @Override
    public DefinitionStore definitions() {
        return definitions;
    }

    @Override
    public RetainedStore retained() {
        return retained;
    }

    @Override
    public SessionStore sessions() {
        return local.sessions();
    }

    @Override
    public void close() {
        // The local store is the broker's to close, after the engine.
    }
}
