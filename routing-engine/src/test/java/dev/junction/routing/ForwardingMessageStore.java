package dev.junction.routing;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import dev.junction.storage.memory.InMemoryMessageStore;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory store that does exactly what {@link InMemoryMessageStore} does; a test store extends it and
 * overrides only the calls it makes fail or finish late, so every such store keeps the rest of the contract.
 */
public abstract class ForwardingMessageStore implements MessageStore {
    protected final InMemoryMessageStore inner = new InMemoryMessageStore();

    @Override
    public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues) {
        return inner.append(message, queues);
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
        return inner.remove(queue, messageId);
    }

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        return inner.removeQueue(queue);
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
        return inner.read(queue, afterId, max);
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        return inner.read(queue, ids);
    }

    @Override
    public IdPage ids(QueueKey queue, long afterId, int max) {
        return inner.ids(queue, afterId, max);
    }

    @Override
    public long count(QueueKey queue) {
        return inner.count(queue);
    }

    @Override
    public Set<QueueKey> queues() {
        return inner.queues();
    }

    @Override
    public long highestMessageId() {
        return inner.highestMessageId();
    }

    @Override
    public TimeIndex timeIndex(QueueKey holder) {
        return inner.timeIndex(holder);
    }

    @Override
    public DefinitionStore definitions() {
        return inner.definitions();
    }

    @Override
    public RetainedStore retained() {
        return inner.retained();
    }

    @Override
    public SessionStore sessions() {
        return inner.sessions();
    }

    @Override
    public void close() {
        inner.close();
    }
}
