package dev.junction.storage.log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The store's removal path (acks, drops, a queue's deletion): the index changes under the store lock and the
 * REMOVE command is queued for the writer. Messages whose last reference a removal dropped before they were
 * durable need no write any more: their append futures complete at once, after the lock (see
 * {@link MessageIndex#takeReleased}); their records are still written and removed in order.
 */
final class Removals {
    private final StoreLock lock;
    private final MessageIndex index;
    private final CommandQueue commands;

    Removals(StoreLock lock, MessageIndex index, CommandQueue commands) {
        this.lock = lock;
        this.index = index;
        this.commands = commands;
    }

    /** Applies {@code change} to the index under the lock and queues its command (or a barrier, if it changed nothing). */
    CompletableFuture<Void> apply(Supplier<Cmd> change) {
        List<CompletableFuture<Void>> released = new ArrayList<>(0);
        CompletableFuture<Void> done = lock.open(() -> {
            Cmd cmd = change.get();
            List<CompletableFuture<Void>> r = index.takeReleased();
            if (r != null) {
                released.addAll(r);
            }
            // A barrier when nothing changed, so the future still means "durable".
            return commands.enqueue(cmd != null ? cmd : new Cmd.Barrier());
        });
        released.forEach(f -> f.complete(null));
        return done;
    }
}
