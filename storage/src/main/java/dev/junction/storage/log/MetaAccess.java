package dev.junction.storage.log;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The callers' side of the metadata tables (definitions, retained messages, sessions), shared by the three
 * {@link MetaTable}s. A change is applied to the store's {@link MetaState} and its record queued for the writer in
 * one critical section under the store's lock, as message changes are.
 */
final class MetaAccess {

    private final StoreLock lock;
    private final MetaState meta;

    MetaAccess(StoreLock lock, MetaState meta) {
        this.lock = lock;
        this.meta = meta;
    }

    /**
     * Puts {@code entry} (or deletes the key when it is null) and queues the record {@code payload}; a change that
     * changes nothing queues a barrier.
     */
    CompletableFuture<Void> change(MetaFormat<?> table, Object key, byte[] payload, MetaRecord entry) {
        return lock.open(() -> {
            if (!meta.apply(table, key, entry)) {
                return lock.commands.enqueue(new Cmd.Barrier());
            }
            byte type = entry == null ? table.deleteType : table.putType;
            return lock.commands.enqueue(new Cmd.Meta(table, type, key, payload, entry));
        });
    }

    /** Runs {@code r} under the store's lock (the writer placing off-heap entries). */
    void locked(Runnable r) {
        lock.run(r);
    }

    /** Reads the state under the store's lock; throws once the store is closed. */
    <T> T read(Function<MetaState, T> reader) {
        return lock.open(() -> reader.apply(meta));
    }
}
