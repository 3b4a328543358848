package dev.junction.storage.log;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The store's {@link MessageIndex} behind the store's lock: callers run their index changes and reads through
 * {@link #open}, and the writer, compaction and readers reach it as {@link MessageLocations}.
 */
final class LockedIndex implements MessageLocations {

    private final ReentrantLock lock;
    private final CommandQueue commands;
    private final MessageIndex index;

    LockedIndex(ReentrantLock lock, CommandQueue commands, MessageIndex index) {
        this.lock = lock;
        this.commands = commands;
        this.index = index;
    }

    /** Runs {@code call} under the lock once the store is known to be open; throws if it is closed. */
    <T> T open(Supplier<T> call) {
        lock.lock();
        try {
            commands.checkOpen();
            return call.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code call} under the lock whether or not the store is open. */
    <T> T locked(Supplier<T> call) {
        lock.lock();
        try {
            return call.get();
        } finally {
            lock.unlock();
        }
    }

    private void run(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void located(long id, Segment segment, long offset, int length) {
        run(() -> index.located(id, segment, offset, length));
    }

    @Override
    public void free(long[] ids, LiveCounter uncount) {
        run(() -> index.free(ids, uncount));
    }

    @Override
    public void evict(long[] ids, int n) {
        run(() -> index.evict(ids, n));
    }

    @Override
    public List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found, long[] enqueuedOut) {
        return locked(() -> {
            enqueuedOut[0] = commands.enqueued();
            return index.liveCopies(segment, found);
        });
    }

    @Override
    public void moved(List<Compactor.Copy> copies) {
        run(() -> index.moved(copies));
    }

    @Override
    public Pick locate(long id) {
        return locked(() -> index.pick(id));
    }
}
