package dev.junction.mqtt;

import dev.junction.routing.api.SerialLane;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One serial lane per client id: what happens to a client id's session (attach, detach, expiry, takeover, its will)
 * runs in order, one task at a time, on a small shared pool, without a lock. Lanes of different client ids run in
 * parallel. A lane exists only while it has tasks: it is created by the first task submitted for its client id and
 * dropped when its last task has run, so memory is bounded by the client ids with work in flight, not by the
 * sessions.
 *
 * <p>Tasks never block on an event loop; their results are futures that a connection brings back to its own event
 * loop. The same kind of lanes, keyed by group queue, orders the share groups' joins and leaves ({@link ShareGroups}).
 */
final class ClientLanes implements AutoCloseable {
    /** How long {@link #close} lets submitted tasks (a last detach, a record to store) finish. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final ExecutorService pool;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    private static final class Lane {
        final Executor executor;
        /** Tasks submitted and not yet finished; changed only inside {@code lanes.compute} for this key. */
        int pending;

        Lane(Executor executor) {
            this.executor = executor;
        }
    }

    /** Names each lane, with its key, in the log. */
    private final String laneName;

    ClientLanes(int threads) {
        this(threads, "junction-mqtt-sessions", "mqtt client");
    }

    ClientLanes(int threads, String threadName, String laneName) {
        this.laneName = laneName;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} on {@code clientId}'s lane, after every task submitted for it before. */
    <T> CompletableFuture<T> submit(String clientId, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Lane lane = lanes.compute(clientId, (k, l) -> {
            Lane held = l != null ? l : new Lane(SerialLane.on(pool, laneName + " " + k));
            held.pending++;
            return held;
        });
        try {
            lane.executor.execute(() -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                } finally {
                    done(clientId);
                }
            });
        } catch (RejectedExecutionException closed) {
            done(clientId); // the broker is stopping
            result.completeExceptionally(closed);
        }
        return result;
    }

    CompletableFuture<Void> run(String clientId, Runnable task) {
        return submit(clientId, () -> {
            task.run();
            return null;
        });
    }

    private void done(String clientId) {
        // A task submitted meanwhile has raised the count: the lane stays, and runs it after this one.
        lanes.computeIfPresent(clientId, (k, l) -> --l.pending == 0 ? null : l);
    }

    /** Client ids with a lane now: those with work submitted and not yet finished. */
    int active() {
        return lanes.size();
    }

    /** Lets the submitted tasks finish (briefly), then stops the pool. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
