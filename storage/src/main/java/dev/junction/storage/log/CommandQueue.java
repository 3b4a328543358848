package dev.junction.storage.log;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off from callers to the writer thread, guarded by the store's lock. Callers queue a command in the
 * same critical section as the index change it records, so the log order is the order of index changes.
 */
final class CommandQueue {

    private final ReentrantLock lock;
    private final Condition work;
    private ArrayDeque<Cmd> commands = new ArrayDeque<>();
    /** Commands queued so far; the writer processes them in this order. */
    private long enqueued;
    private boolean writerWaiting;
    private boolean closed;

    CommandQueue(ReentrantLock lock) {
        this.lock = lock;
        this.work = lock.newCondition();
    }

    /** Lock held. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    /** Queues {@code cmd} for the writer; lock held, so the log order is the order of index changes. */
    CompletableFuture<Void> enqueue(Cmd cmd) {
        commands.addLast(cmd);
        enqueued++;
        if (writerWaiting) {
            writerWaiting = false;
            work.signal();
        }
        return cmd.future();
    }

    /** Commands queued so far. Lock held. */
    long enqueued() {
        return enqueued;
    }

    /**
     * Called by the writer: everything queued so far (possibly nothing when {@code wait} is false), or null once
     * the store is closed and nothing is left.
     */
    ArrayDeque<Cmd> take(boolean wait) {
        return take(wait, 0);
    }

    /** As {@link #take(boolean)}, but a wait ends after {@code timeoutNanos} when that is positive. */
    ArrayDeque<Cmd> take(boolean wait, long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (wait && commands.isEmpty() && !closed) {
                writerWaiting = true;
                if (timeoutNanos <= 0) {
                    work.awaitUninterruptibly();
                } else if (left <= 0) {
                    break;
                } else {
                    try {
                        left = work.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            writerWaiting = false;
            if (commands.isEmpty()) {
                // Never hand out the live deque: callers add to it under the lock while the writer iterates
                // what it took without the lock (that was a ConcurrentModificationException in the writer).
                return closed ? null : new ArrayDeque<>(0);
            }
            ArrayDeque<Cmd> taken = commands;
            commands = new ArrayDeque<>();
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking commands and wakes the writer to finish; false if it was already closed. */
    boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
