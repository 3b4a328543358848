package dev.junction.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings that a flood of connections could repeat thousands of times a second: at most one line per key per
 * {@link #INTERVAL_MS}, and the next line says how many were left out. Only broker-made text and addresses are
 * logged through it, never client-supplied strings.
 */
final class RateLimitedLog {
    static final long INTERVAL_MS = 10_000;

    private final Logger log;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final AtomicLong nextAt = new AtomicLong();
        final AtomicLong suppressed = new AtomicLong();
    }

    RateLimitedLog(Class<?> owner) {
        this.log = LoggerFactory.getLogger(owner);
    }

    void warn(String key, String format, Object... args) {
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long now = System.currentTimeMillis();
        long due = w.nextAt.get();
        if (now < due || !w.nextAt.compareAndSet(due, now + INTERVAL_MS)) {
            w.suppressed.incrementAndGet();
            return;
        }
        long left = w.suppressed.getAndSet(0);
        if (left > 0) {
            log.warn(format + " ({} more like this in the last {} s)", append(args, left, INTERVAL_MS / 1000));
        } else {
            log.warn(format, args);
        }
    }

    private static Object[] append(Object[] args, Object... more) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
