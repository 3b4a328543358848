package dev.junction.storage.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The callers' side of the metadata tables (definitions, retained messages, sessions), shared by the three
 * {@link MetaTable}s. A change is applied to the store's {@link MetaState} and its record queued for the writer in
 * one critical section under the store's lock, as message changes are.
 */
final class MetaAccess {

    private final ReentrantLock lock;
    private final CommandQueue commands;
    private final MetaState meta;

    MetaAccess(ReentrantLock lock, CommandQueue commands, MetaState meta) {
        this.lock = lock;
        this.commands = commands;
        this.meta = meta;
    }

    /**
     * Puts {@code entry} (or deletes the key when it is null) and queues the record {@code payload}; a change that
     * changes nothing queues a barrier.
     */
    CompletableFuture<Void> change(MetaFormat<?> table, Object key, byte[] payload, MetaRecord entry) {
        lock.lock();
        try {
            commands.checkOpen();
            if (!meta.apply(table, key, entry)) {
                return commands.enqueue(new Cmd.Barrier());
            }
            byte type = entry == null ? table.deleteType : table.putType;
            return commands.enqueue(new Cmd.Meta(table, type, key, payload, entry));
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code r} under the store's lock (the writer placing retained records). */
    void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    <T> T read(Function<MetaState, T> reader) {
        lock.lock();
        try {
            commands.checkOpen();
            return reader.apply(meta);
        } finally {
            lock.unlock();
        }
    }
}
