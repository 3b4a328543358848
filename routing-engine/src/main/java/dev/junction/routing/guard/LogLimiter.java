package dev.junction.routing.guard;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per kind of event per interval, for events a flood of connections or messages can repeat
 * thousands of times a second (refused sockets, failed TLS handshakes, an unreachable auth service, messages one
 * protocol cannot carry). Lines left out are counted and the count goes with the next line of that kind, so an
 * incident is never invisible, only summarised.
 *
 * <p>Kinds are a small fixed set of strings chosen by the caller, never client-supplied, so the table stays small.
 * Warnings a client triggers per source address go through {@link WarningLimiter} instead. Safe to call from any
 * thread; it never blocks.
 */
public final class LogLimiter {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final AtomicLong nextAtNanos;
        final AtomicLong suppressed = new AtomicLong();

        Window(long now) {
            nextAtNanos = new AtomicLong(now);
        }
    }

    public LogLimiter(long interval, TimeUnit unit) {
        this(unit.toNanos(interval), System::nanoTime);
    }

    LogLimiter(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * Hands {@code format} with {@code args} to {@code sink} (a logger's warn or info) unless a line of this
     * {@code kind} went out less than an interval ago; then it is only counted.
     */
    public void log(WarningLimiter.Sink sink, String kind, String format, Object... args) {
        long now = nanoClock.getAsLong();
        Window w = windows.computeIfAbsent(kind, k -> new Window(now));
        long due = w.nextAtNanos.get();
        if (now - due < 0 || !w.nextAtNanos.compareAndSet(due, now + intervalNanos)) {
            w.suppressed.incrementAndGet();
            return;
        }
        long left = w.suppressed.getAndSet(0);
        if (left == 0) {
            sink.warn(format, args);
            return;
        }
        Object[] more = Arrays.copyOf(args, args.length + 2);
        more[args.length] = left;
        more[args.length + 1] = TimeUnit.NANOSECONDS.toSeconds(intervalNanos);
        sink.warn(format + " ({} more like this in the last {} s)", more);
    }
}
