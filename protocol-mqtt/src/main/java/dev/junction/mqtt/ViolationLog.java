package dev.junction.mqtt;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings about clients that break the protocol: one line per offence, but at most {@link #LINES_PER_SECOND} a
 * second, so that a flood of hostile connections cannot flood the log; lines over the limit are counted and the
 * count goes out with the next line. Client-supplied text needs no escaping here: the log's message converter escapes control characters
 * in every line (docs/security.md, "Logging").
 * Safe to call from any thread.
 */
final class ViolationLog {
    static final int LINES_PER_SECOND = 20;

    private final Logger log;
    private final AtomicLong second = new AtomicLong();
    private final AtomicInteger lines = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    ViolationLog(Logger log) {
        this.log = log;
    }

    void warn(String format, Object... args) {
        long now = System.nanoTime() / 1_000_000_000L;
        long current = second.get();
        if (current != now && second.compareAndSet(current, now)) {
            lines.set(0);
        }
        if (lines.incrementAndGet() > LINES_PER_SECOND) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (skipped == 0) {
            log.warn(format, args);
        } else {
            Object[] more = Arrays.copyOf(args, args.length + 1);
            more[args.length] = skipped;
            log.warn(format + " ({} similar lines suppressed before this one)", more);
        }
    }
}
