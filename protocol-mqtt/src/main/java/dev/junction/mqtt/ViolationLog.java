package dev.junction.mqtt;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings about clients that break the protocol: one line per offence, but at most {@link #LINES_PER_SECOND} a
 * second, so that a flood of hostile connections cannot flood the log; lines over the limit are counted and the
 * count goes out with the next line. Callers escape client-supplied text ({@link MqttConnection#printable}).
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

    /** Client-supplied text for a log line: control characters escaped. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == 0x7F) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(String.format("\\u%04x", (int) ch));
            } else if (b != null) {
                b.append(ch);
            }
        }
        return b == null ? s : b.toString();
    }
}
