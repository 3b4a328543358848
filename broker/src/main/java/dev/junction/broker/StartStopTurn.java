package dev.junction.broker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The start and the shutdown hook take turns: a SIGTERM that arrives while the broker starts is acted on once the
 * start ended, so the hook closes what the start opened rather than halting the JVM around it. The hook never
 * waits for a start that cannot end: a library may call {@code System.exit} on the starting thread (Ratis does
 * when a cluster node's Raft port cannot be bound), and that thread then waits for the hooks, the hook for it;
 * the process hung silently where it should have exited with the library's error.
 */
final class StartStopTurn {
    private static final long POLL_MILLIS = 100;

    private final ReentrantLock lock = new ReentrantLock();
    private final BooleanSupplier starterExiting;

    /** {@code starterExiting}: whether the starting thread is itself running {@code System.exit}. */
    StartStopTurn(BooleanSupplier starterExiting) {
        this.starterExiting = starterExiting;
    }

    /** For the thread that starts the broker, the calling one. */
    static StartStopTurn forCurrentThread() {
        Thread starter = Thread.currentThread();
        return new StartStopTurn(() -> exiting(starter));
    }

    /** The start's turn: held until {@link #end()}. */
    void begin() {
        lock.lock();
    }

    /** Ends the turn taken by {@link #begin()} or {@link #awaitStopTurn()}. */
    void end() {
        lock.unlock();
    }

    /**
     * The hook's turn, once the start ended; false (no turn taken) when the starting thread is exiting the JVM
     * itself, which would never end the start, or after {@code max}: a start may wait on a thread that is itself
     * exiting the JVM (any thread's {@code System.exit} waits for this hook), and a process asked to stop must stop.
     */
    boolean awaitStopTurn(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!lock.tryLock(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (starterExiting.getAsBoolean() || System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code thread} is in {@code System.exit} (the JDK's {@code Shutdown.exit} is on its stack). */
    static boolean exiting(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown")) {
                return true;
            }
        }
        return false;
    }
}
