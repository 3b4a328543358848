package dev.junction.storage.memory;

import java.util.concurrent.CompletableFuture;

/** The open/closed state shared by an {@link InMemoryMessageStore} and its sub-stores. */
final class StoreGuard {

    private volatile boolean closed;

    /** Throws {@link IllegalStateException} once the store is closed. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * A fresh, already completed future: nothing in memory is pending, and no dependent stage can run inside
     * a store lock because none is attached yet. Not shared, so one caller cannot disturb another's.
     */
    static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
