package dev.junction.routing.exchange;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import dev.junction.storage.memory.InMemoryMessageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory store whose writes of delayed exchanges' held messages ({@code amq.delayed/...} keys) become durable
 * only when the test says so ({@link #finish}, {@link #fail}), like a slow disk, and whose reads of them can be made
 * to fail ({@link #failingReads}); every other write is durable at once. The contract allows it: a change is
 * visible when made and durable when its future completes.
 */
final class LateHeldWrites implements MessageStore {
    private final InMemoryMessageStore inner = new InMemoryMessageStore();
    private final List<CompletableFuture<Void>> late = new ArrayList<>();
    /** How many more reads of held messages fail, as a disk error would. */
    final AtomicInteger failingReads = new AtomicInteger();

    /** Held writes made and not yet finished. */
    synchronized int waiting() {
        return (int) late.stream().filter(f -> !f.isDone()).count();
    }

    /** Makes every held write so far durable. */
    void finish() {
        List<CompletableFuture<Void>> now;
        synchronized (this) {
            now = List.copyOf(late);
        }
        now.forEach(f -> f.complete(null));
    }

    /** Fails every held write so far, as a full disk would. */
    void fail() {
        List<CompletableFuture<Void>> now;
        synchronized (this) {
            now = List.copyOf(late);
        }
        now.forEach(f -> f.completeExceptionally(new IOException("injected: disk full")));
    }

    @Override
    public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues) {
        CompletableFuture<Void> written = inner.append(message, queues);
        if (queues.stream().noneMatch(q -> q.name().startsWith("amq.delayed/"))) {
            return written;
        }
        CompletableFuture<Void> later = new CompletableFuture<>();
        synchronized (this) {
            late.add(later);
        }
        return written.thenCompose(ok -> later);
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
        if (queue.name().startsWith("amq.delayed/") && failingReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new UncheckedIOException(new IOException("injected: unreadable held message"));
        }
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
