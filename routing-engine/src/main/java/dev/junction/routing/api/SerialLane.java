package dev.junction.routing.api;

import dev.junction.routing.SerialExecutor;
import java.util.concurrent.Executor;

/**
 * A serial lane on a shared pool: tasks run one at a time, in submission order, without a lock, while many lanes
 * share a few threads. The engine gives each queue one; an adapter uses them for state that must change in order
 * but must not be held under a monitor across engine calls (MQTT: one lane per client id for attach, detach,
 * takeover and expiry). A task must not block waiting for another task of a lane on the same pool.
 */
public final class SerialLane {

    private SerialLane() {
    }

    /**
     * A new lane on {@code pool}; {@code name} appears in the log when a task fails. Its {@code execute} throws
     * {@link java.util.concurrent.RejectedExecutionException} once the pool is shut down.
     */
    public static Executor on(Executor pool, String name) {
        return new SerialExecutor(pool, name);
    }
}
