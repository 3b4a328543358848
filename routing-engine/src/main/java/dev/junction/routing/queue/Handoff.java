package dev.junction.routing.queue;

import dev.junction.routing.api.HandoverBatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries deliveries from queue threads to the one thread that owns a connection (its event loop), in batches:
 * one wake-up of the owner drains everything queued so far, then {@code afterBatch} runs once (a flush, so a
 * burst of deliveries costs one syscall). The wake-up waits for the end of the queue's mailbox batch
 * ({@link HandoverBatch}), so that a burst of deliveries made in one batch is drained in one go. The number waiting is bounded: a sink reports not ready while
 * {@link #hasRoom()} is false, and {@code onRoom} runs on the owner thread when a drain makes room again, so the
 * adapter can resume its consumers.
 */
public final class Handoff {
    private final Executor owner;
    private final int limit;
    private final Runnable afterBatch;
    private final Runnable onRoom;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Set when a sink was told there is no room, so the next drain that makes room wakes the consumers. */
    private final AtomicBoolean refused = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Wakes the owner: at once, or when the handover batch open on the queue's thread closes. */
    private final Runnable wake = this::wakeOwner;

    public Handoff(Executor owner, int limit, Runnable afterBatch, Runnable onRoom) {
        this.owner = owner;
        this.limit = limit;
        this.afterBatch = afterBatch;
        this.onRoom = onRoom;
    }

    /** Called on a queue thread: {@code task} runs on the owner thread, after everything submitted before it. */
    public void submit(Runnable task) {
        waiting.incrementAndGet();
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            HandoverBatch.wake(wake); // once per batch of the queue's mailbox (see HandoverBatch)
        }
    }

    private void wakeOwner() {
        try {
            owner.execute(drainTask);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The owner's event loop shut down with its connection: nothing can be delivered there any more.
            tasks.clear();
        }
    }

    public boolean hasRoom() {
        if (waiting.get() < limit) {
            return true;
        }
        refused.set(true);
        // Look again after raising the flag: either this sees the drain's room, or the drain sees the flag.
        return waiting.get() < limit;
    }

    private void drain() {
        scheduled.set(false);
        int n = 0;
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
            n++;
        }
        waiting.addAndGet(-n);
        afterBatch.run();
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            owner.execute(drainTask);
        }
        if (refused.get() && waiting.get() < limit) {
            refused.set(false);
            onRoom.run();
        }
    }
}
