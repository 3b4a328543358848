package dev.junction.storage.log;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The store's one lock and the {@link CommandQueue} it guards. A caller changes the index or the metadata and
 * queues the command that records the change in one critical section, so the log order is the order of changes;
 * the writer takes the lock only for short updates of the index.
 */
final class StoreLock {

    private final ReentrantLock lock = new ReentrantLock();
    final CommandQueue commands = new CommandQueue(lock);

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

    /** Runs {@code call} under the lock whether or not the store is open (the writer, statistics). */
    <T> T locked(Supplier<T> call) {
        lock.lock();
        try {
            return call.get();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #locked(Supplier)}, for a call without a result. */
    void run(Runnable call) {
        lock.lock();
        try {
            call.run();
        } finally {
            lock.unlock();
        }
    }
}
