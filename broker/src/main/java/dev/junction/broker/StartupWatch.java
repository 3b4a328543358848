package dev.junction.broker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log where a start that takes long is waiting: every {@code period} until the start ends, one warning
 * with the starting thread's stack. A start reads back the store and, in a cluster, recovers the Raft logs and meets
 * the other nodes, which takes seconds; one that stalls (a node restarted after a crash that never opens its
 * listeners) must say where without a debugger attached to the process.
 */
final class StartupWatch implements AutoCloseable {
    /** How often a long start is reported; far above a normal start, even a loaded cluster node's. */
    static final Duration PERIOD = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(StartupWatch.class);

    private final Thread starting;
    private final long began = System.nanoTime();
    private final Consumer<Throwable> report;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "startup-watch");
        t.setDaemon(true); // never keeps a failed start's JVM alive
        return t;
    });

    private StartupWatch(Thread starting, Duration period, Consumer<Throwable> report) {
        this.starting = starting;
        this.report = report;
        timer.scheduleAtFixedRate(this::report, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Watches the calling thread's start, reporting to the log. */
    static StartupWatch ofCurrentThread() {
        return new StartupWatch(Thread.currentThread(), PERIOD, where -> LOG.warn(where.getMessage(), where));
    }

    /** As {@link #ofCurrentThread()}, every {@code period}, each report to {@code report} (for tests). */
    static StartupWatch of(Thread starting, Duration period, Consumer<Throwable> report) {
        return new StartupWatch(starting, period, report);
    }

    private void report() {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        // The stack as an exception's, so the log's pattern prints it frame by frame.
        Throwable where = new Throwable("start-up still running after " + seconds + " s; thread "
                + starting.getName() + " is " + starting.getState() + " in:");
        where.setStackTrace(starting.getStackTrace());
        report.accept(where);
    }

    /** The start ended (done or failed): no more reports. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
