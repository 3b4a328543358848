package dev.junction.broker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation without a restart: checks each TLS listener's certificate, key and CA files every
 * {@code watch_interval_ms} and on {@link #reloadAll()} (SIGHUP), and lets {@link ServerTls} swap in a new context
 * for new connections. Rules: every check runs on this watcher's single thread, so the listeners' file fingerprints
 * have one owner; reading and hashing a few small files never touches an event loop; a check that throws is
 * logged and the next one runs as scheduled.
 */
final class TlsWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsWatcher.class);

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-tls-watch");
        t.setDaemon(true);
        return t;
    });
    private final List<ServerTls> watched = new CopyOnWriteArrayList<>();

    /** Checks {@code tls}'s files on its interval (if any) and on every {@link #reloadAll()}. */
    void watch(ServerTls tls) {
        watched.add(tls);
        long interval = tls.watchIntervalMs();
        if (interval > 0) {
            thread.scheduleWithFixedDelay(() -> check(tls), interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /** Checks every listener's files now, off the caller's thread (a signal handler must not block). */
    void reloadAll() {
        try {
            thread.execute(() -> {
                int reloaded = 0;
                for (ServerTls tls : watched) {
                    reloaded += check(tls) ? 1 : 0;
                }
                LOG.info("TLS reload requested: {} of {} listener(s) took new files", reloaded, watched.size());
            });
        } catch (RejectedExecutionException closing) {
            // The broker is stopping; nothing left to reload.
        }
    }

    private static boolean check(ServerTls tls) {
        try {
            return tls.reloadIfChanged();
        } catch (RuntimeException e) {
            // Never let one failure cancel the periodic check (a scheduled task that throws is not run again).
            LOG.warn("{}: checking the TLS files failed, the previous certificate keeps serving: {}",
                    tls.listener(), e.toString());
            return false;
        }
    }

    /** Cancels the periodic checks; a check already running finishes (not interrupted mid-read, no false alarm). */
    @Override
    public void close() {
        thread.shutdown();
    }
}
