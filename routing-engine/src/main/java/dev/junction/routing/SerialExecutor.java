package dev.junction.routing;

import dev.junction.routing.api.HandoverBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 *
 * <p>Every queue has one, so an idle mailbox is kept small: its flags are plain fields changed through
 * {@link VarHandle}s rather than atomic objects, and the urgent and relief queues are made by the first task that
 * needs them (most queues are never congested, and an idle MQTT session's queue is never settled).
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH = 512;
    private static final VarHandle SCHEDULED;
    private static final VarHandle BACKLOG;
    private static final VarHandle URGENT;
    private static final VarHandle RELIEF;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SCHEDULED = l.findVarHandle(SerialExecutor.class, "scheduled", boolean.class);
            BACKLOG = l.findVarHandle(SerialExecutor.class, "backlog", int.class);
            URGENT = l.findVarHandle(SerialExecutor.class, "urgent", ConcurrentLinkedQueue.class);
            RELIEF = l.findVarHandle(SerialExecutor.class, "relief", ConcurrentLinkedQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Executor pool;
    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Made by the first urgent task (CAS on {@link #URGENT}); null until then. */
    private volatile ConcurrentLinkedQueue<Runnable> urgent;
    /** Whether a drain is scheduled or running (CAS on {@link #SCHEDULED}). */
    private volatile boolean scheduled;
    /** Ordinary tasks submitted and not yet run: how far behind its publishers the owner is. */
    private volatile int backlog;
    /** Run once, on the owner's turn, when the backlog has fallen to {@link #relievedAt}; made with the first. */
    private volatile ConcurrentLinkedQueue<Runnable> relief;
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
        this.start = this::startForSubmitter;
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
        BACKLOG.getAndAdd(this, 1);
        tasks.add(task);
        schedule();
    }

    /** Ordinary tasks waiting to run. */
    public int backlog() {
        return backlog;
    }

    /**
     * Runs {@code callback} once the backlog is at most {@code level}: at once if it already is, else after a
     * later batch of tasks (on the pool thread; it must be quick). Publishers use it to resume reading.
     */
    public void whenBacklogAtMost(int level, Runnable callback) {
        relievedAt = level;
        made(RELIEF).add(callback);
        if (backlog <= level) {
            runRelief(); // the drain may have checked before the callback was added
        }
    }

    private void runRelief() {
        ConcurrentLinkedQueue<Runnable> waiting = relief;
        Runnable r;
        while (waiting != null && (r = waiting.poll()) != null) {
            run(r);
        }
    }

    /** The queue behind {@code field} ({@link #URGENT} or {@link #RELIEF}), made by whichever thread comes first. */
    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Runnable> made(VarHandle field) {
        ConcurrentLinkedQueue<Runnable> q = (ConcurrentLinkedQueue<Runnable>) field.getVolatile(this);
        if (q == null) {
            q = new ConcurrentLinkedQueue<>();
            if (!field.compareAndSet(this, null, q)) {
                q = (ConcurrentLinkedQueue<Runnable>) field.getVolatile(this);
            }
        }
        return q;
    }

    /** Runs {@code task} ahead of the ordinary tasks already waiting (still one at a time, never concurrently). */
    public void executeUrgent(Runnable task) {
        made(URGENT).add(task);
        schedule();
    }

    private void schedule() {
        if (SCHEDULED.compareAndSet(this, false, true)) {
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
            ConcurrentLinkedQueue<Runnable> u = urgent;
            Runnable task = u == null ? null : u.poll();
            if (task == null) {
                task = tasks.poll();
                if (task != null) {
                    BACKLOG.getAndAdd(this, -1);
                }
            }
            if (task == null) {
                break;
            }
            run(task);
        }
        ConcurrentLinkedQueue<Runnable> waiting = relief;
        if (waiting != null && !waiting.isEmpty() && backlog <= relievedAt) {
            runRelief();
        }
        scheduled = false;
        ConcurrentLinkedQueue<Runnable> u = urgent;
        if ((!tasks.isEmpty() || (u != null && !u.isEmpty())) && SCHEDULED.compareAndSet(this, false, true)) {
            startDrain();
        }
    }

    /**
     * Hands the first drain of a submission to the pool. A pool that is shutting down refuses it, and the refusal
     * goes to the submitter (a task is refused, never silently lost: callers such as the MQTT client lanes complete
     * their futures with it); the mailbox is left unscheduled, so every later submission is refused as well.
     */
    private void startForSubmitter() {
        try {
            pool.execute(drainTask);
        } catch (RejectedExecutionException stopping) {
            scheduled = false;
            throw stopping;
        }
    }

    /**
     * Hands the next drain to the pool from the pool's own thread, at the end of a batch. Only a pool that is
     * shutting down refuses it (the engine's pool is fixed, its queue unbounded): the broker is stopping after its
     * listeners closed, and what the mailbox still holds would have been lost with the process a moment later
     * (transient messages; persistent ones are in the store). Throwing here would only print one stack trace per
     * queue from the pool thread, so the mailbox stops quietly, unscheduled: a later submission is refused to its
     * submitter as above.
     */
    private void startDrain() {
        try {
            pool.execute(drainTask);
        } catch (RejectedExecutionException stopping) {
            scheduled = false;
            LOG.debug("{} stopped with {} tasks waiting: its pool is shutting down", name, backlog);
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
