package dev.junction.storage.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The callers' side of the metadata (definitions, retained messages, sessions), shared by the three stores
 * that expose it. A change is applied to the store's {@link MetaState} and its record queued for the writer in
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

    /** Applies a metadata change and queues its record; a change that changes nothing queues a barrier. */
    CompletableFuture<Void> change(byte type, Object key, byte[] payload) {
        lock.lock();
        try {
            commands.checkOpen();
            if (!meta.apply(type, key, payload)) {
                return commands.enqueue(Cmd.barrier());
            }
            Cmd cmd = new Cmd(Cmd.META, type, payload);
            cmd.metaKey = key;
            if (type == Records.RETAINED_PUT) {
                cmd.retained = meta.retainedRecord((MetaState.RetainedKey) key);
            }
            return commands.enqueue(cmd);
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
