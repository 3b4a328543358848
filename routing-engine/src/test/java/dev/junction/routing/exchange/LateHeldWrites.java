package dev.junction.routing.exchange;

import dev.junction.routing.ForwardingMessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory store whose writes of delayed exchanges' held messages ({@code amq.delayed/...} keys) become durable
 * only when the test says so ({@link #finish}, {@link #fail}), like a slow disk, and whose reads of them can be made
 * to fail ({@link #failingReads}); every other write is durable at once. The contract allows it: a change is
 * visible when made and durable when its future completes.
 */
final class LateHeldWrites extends ForwardingMessageStore {
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
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        if (queue.name().startsWith("amq.delayed/") && failingReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new UncheckedIOException(new IOException("injected: unreadable held message"));
        }
        return inner.read(queue, ids);
    }
}
