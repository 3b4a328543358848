package dev.junction.routing.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The delays of a queue's {@code x-retry-delays} argument (policy key {@code retry-delays}), Junction's own: a
 * message returned to the queue with requeue waits the delay of its attempt before it is ready again, the first
 * return the first delay, and the last delay repeats. Written as a comma-separated list of durations, each a whole
 * number with an optional unit {@code ms} (the default), {@code s}, {@code m} or {@code h}: {@code "1s,10s,1m"}.
 */
public record RetryDelays(List<Long> millis) {

    public RetryDelays {
        millis = List.copyOf(millis);
    }

    /** The delays {@code text} lists, or null when it is not such a list (null, empty, a bad entry). */
    public static RetryDelays parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        List<Long> delays = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Long ms = duration(part.trim().toLowerCase(Locale.ROOT));
            if (ms == null) {
                return null;
            }
            delays.add(ms);
        }
        return new RetryDelays(delays);
    }

    /** The delay before a message's {@code returns}-th return (1 for the first) is ready again. */
    public long delayFor(int returns) {
        return millis.get(Math.max(0, Math.min(returns, millis.size()) - 1));
    }

    private static Long duration(String s) {
        long unit = 1;
        String digits = s;
        if (s.endsWith("ms")) {
            digits = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            unit = 1000;
            digits = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            unit = 60_000;
            digits = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            unit = 3_600_000;
            digits = s.substring(0, s.length() - 1);
        }
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(digits) * unit;
    }

    @Override
    public String toString() {
        return millis.toString();
    }
}
