package dev.junction.routing.guard;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Rate-limits warnings that a client can trigger at will (malformed frames, protocol errors, failed logins): one
 * line per source address per interval. Lines suppressed in an interval are counted and the count is appended to
 * the next line logged for that address, so nothing goes unnoticed but a client reconnecting in a loop cannot flood
 * the log.
 *
 * <p>At most {@link #MAX_SOURCES} addresses are tracked; past that, forgotten ones are dropped and, if none is,
 * every further address shares one window. Safe to call from any thread; it never blocks.
 */
public final class WarningLimiter {
    static final int MAX_SOURCES = 10_000;
    private static final String SHARED = "other addresses";

    private record Window(long startNanos, int suppressed) {
    }

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile long lastPurgeNanos;

    public WarningLimiter(long interval, TimeUnit unit) {
        this(unit.toNanos(interval), System::nanoTime);
    }

    WarningLimiter(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.lastPurgeNanos = nanoClock.getAsLong();
    }

    /**
     * Logs {@code format} with {@code args} on {@code log} at WARN, unless a line for {@code source} was logged less
     * than an interval ago (then it is only counted).
     */
    public void warn(Logger log, InetAddress source, String format, Object... args) {
        warn(log::warn, source, format, args);
    }

    /** Where a line that passes goes: a logger's warn, or another limiter in front of one. */
    @FunctionalInterface
    public interface Sink {
        void warn(String format, Object... args);
    }

    /** As {@link #warn(Logger, InetAddress, String, Object...)}, handing the line that passes to {@code sink}. */
    public void warn(Sink sink, InetAddress source, String format, Object... args) {
        long now = nanoClock.getAsLong();
        String key = key(source == null ? "unknown" : source.getHostAddress(), now);
        int[] report = {-1};
        windows.compute(key, (k, w) -> {
            if (w == null || now - w.startNanos() >= intervalNanos) {
                report[0] = w == null ? 0 : w.suppressed();
                return new Window(now, 0);
            }
            return new Window(w.startNanos(), w.suppressed() + 1);
        });
        if (report[0] == 0) {
            sink.warn(format, args);
        } else if (report[0] > 0) {
            Object[] more = Arrays.copyOf(args, args.length + 2);
            more[args.length] = report[0];
            more[args.length + 1] = TimeUnit.NANOSECONDS.toSeconds(intervalNanos);
            sink.warn(format + " ({} more such lines from this address suppressed; at most one per {} s is logged)",
                    more);
        }
    }

    private String key(String address, long now) {
        if (windows.size() < MAX_SOURCES || windows.containsKey(address)) {
            return address;
        }
        if (now - lastPurgeNanos >= TimeUnit.SECONDS.toNanos(1)) { // a full scan, at most once a second
            lastPurgeNanos = now;
            windows.values().removeIf(w -> now - w.startNanos() >= intervalNanos);
        }
        return windows.size() < MAX_SOURCES ? address : SHARED;
    }

    int trackedSources() {
        return windows.size();
    }
}
