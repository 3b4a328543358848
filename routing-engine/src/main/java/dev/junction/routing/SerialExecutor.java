package dev.junction.routing;

import dev.junction.routing.api.HandoverBatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mailbox that runs its tasks one at a time, in submission order, on a shared pool. Each queue owns one, so
 * its state is touched by one thread at a time without locks, while thousands of queues share a few threads.
 * A drain runs a bounded batch before yielding the pool thread so a busy queue cannot starve the others.
 *
 * <p>Urgent tasks (acknowledgements, wake-ups) run before the ordinary ones waiting in the mailbox: when publishers
 * outpace a consumer, thousands of enqueues can be waiting, and an acknowledgement stuck behind them would hold
 * back the consumer's credit and so starve delivery exactly when it is needed most.
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH = 512;

    private final Executor pool;
    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> urgent = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Ordinary tasks submitted and not yet run: how far behind its publishers the owner is. */
    private final AtomicInteger backlog = new AtomicInteger();
    /** Run once, on the owner's turn, when the backlog has fallen to {@link #relievedAt}. */
    private final ConcurrentLinkedQueue<Runnable> relief = new ConcurrentLinkedQueue<>();
    private volatile int relievedAt = Integer.MAX_VALUE;
    private final Runnable drainTask = this::drain;
    private final boolean batching;
    /** Starts a drain on the pool: at once, or when the handover batch open on the calling thread closes. */
    private final Runnable start;

    public SerialExecutor(Executor pool, String name) {
        this(pool, name, false);
    }

    /**
     * A queue's mailbox: each drain is a {@link HandoverBatch}, so the deliveries and enqueues of its tasks wake
     * their connections and queues once, after the batch. Only for owners whose tasks never wait for another
     * mailbox (a wake-up held by the batch would never come while a task waits).
     */
    public static SerialExecutor batching(Executor pool, String name) {
        return new SerialExecutor(pool, name, true);
    }

    private SerialExecutor(Executor pool, String name, boolean batching) {
        this.pool = pool;
        this.name = name;
        this.batching = batching;
        this.start = this::startDrain;
    }

    /** Runs {@code body} in turn; the future completes with its result or its exception, on the owner's thread. */
    public <T> CompletableFuture<T> call(Supplier<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(body.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** {@link #call} for a task without a result. */
    public CompletableFuture<Void> submit(Runnable body) {
        return call(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public void execute(Runnable task) {
        backlog.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    /** Ordinary tasks waiting to run. */
    public int backlog() {
        return backlog.get();
    }

    /**
     * Runs {@code callback} once the backlog is at most {@code level}: at once if it already is, else after a
     * later batch of tasks (on the pool thread; it must be quick). Publishers use it to resume reading.
     */
    public void whenBacklogAtMost(int level, Runnable callback) {
        relievedAt = level;
        relief.add(callback);
        if (backlog.get() <= level) {
            runRelief(); // the drain may have checked before the callback was added
        }
    }

    private void runRelief() {
        Runnable r;
        while ((r = relief.poll()) != null) {
            run(r);
        }
    }

    /** Runs {@code task} ahead of the ordinary tasks already waiting (still one at a time, never concurrently). */
    public void executeUrgent(Runnable task) {
        urgent.add(task);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            HandoverBatch.wake(start);
        }
    }

    /** Runs a batch of tasks; for a {@link #batching} mailbox as one {@link HandoverBatch}. */
    private void drain() {
        if (!batching) {
            runBatch();
            return;
        }
        HandoverBatch.open();
        try {
            runBatch();
        } finally {
            HandoverBatch.close();
        }
    }

    private void runBatch() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task = urgent.poll();
            if (task == null) {
                task = tasks.poll();
                if (task != null) {
                    backlog.decrementAndGet();
                }
            }
            if (task == null) {
                break;
            }
            run(task);
        }
        if (!relief.isEmpty() && backlog.get() <= relievedAt) {
            runRelief();
        }
        scheduled.set(false);
        if ((!tasks.isEmpty() || !urgent.isEmpty()) && scheduled.compareAndSet(false, true)) {
            startDrain();
        }
    }

    /**
     * Hands the next drain to the pool. Only a pool that is shutting down refuses it (the engine's pool is fixed,
     * its queue unbounded): the broker is stopping after its listeners closed, and what the mailbox still holds
     * would have been lost with the process a moment later (transient messages; persistent ones are in the store).
     * The mailbox then stays marked as scheduled, so later submissions wait quietly instead of each throwing into
     * whichever thread submitted them.
     */
    private void startDrain() {
        try {
            pool.execute(drainTask);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("{} stopped with {} tasks waiting: its pool is shutting down", name, backlog.get());
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // One bad task must not wedge the owner: log it and keep serving the mailbox.
            LOG.error("task failed in {}", name, e);
        }
    }
}
