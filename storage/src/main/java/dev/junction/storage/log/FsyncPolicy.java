package dev.junction.storage.log;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When the {@link LogMessageStore} forces its writes to disk before completing their futures. Mirrors the
 * configuration keys {@code storage.fsync}, {@code storage.group_commit_max_messages} and
 * {@code storage.group_commit_max_wait_ms}.
 *
 * <ul>
 *   <li>{@link Mode#GROUP}: one {@code fsync} covers every write that queued up while the previous one ran. The
 *       writer never idles to collect a group; it keeps adding writes that are already waiting until
 *       {@code maxMessages} writes are in the group or {@code maxWait} has passed since its first write, then
 *       syncs. A lone publisher gets one fsync per write with no added delay. The one group the writer does
 *       hold open is one of removals alone: it waits up to {@code maxWait} for a write that needs an fsync, so
 *       an ack shares the next publish's fsync (nothing a client was promised waits on a removal).</li>
 *   <li>{@link Mode#ALWAYS}: one fsync per write (a group of one).</li>
 *   <li>{@link Mode#NEVER}: no fsync; a future completes once its bytes were handed to the operating system.
 *       A crash of the process loses nothing, but a power loss or kernel crash can lose writes that were
 *       already acknowledged.</li>
 * </ul>
 *
 * @param maxMessages most writes one fsync covers in {@link Mode#GROUP} (at least 1)
 * @param maxWait     longest a group stays open after its first write in {@link Mode#GROUP} (not negative)
 */
public record FsyncPolicy(Mode mode, int maxMessages, Duration maxWait) {

    public enum Mode { GROUP, ALWAYS, NEVER }

    public static final int DEFAULT_MAX_MESSAGES = 1000;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(2);

    public FsyncPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1: " + maxMessages);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        if (mode == Mode.ALWAYS) {
            maxMessages = 1;
            maxWait = Duration.ZERO;
        }
    }

    /** Group commit with the defaults: up to 1000 writes or 2 ms per fsync. */
    public static FsyncPolicy group() {
        return new FsyncPolicy(Mode.GROUP, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_WAIT);
    }

    public static FsyncPolicy group(int maxMessages, Duration maxWait) {
        return new FsyncPolicy(Mode.GROUP, maxMessages, maxWait);
    }

    public static FsyncPolicy always() {
        return new FsyncPolicy(Mode.ALWAYS, 1, Duration.ZERO);
    }

    public static FsyncPolicy never() {
        return new FsyncPolicy(Mode.NEVER, DEFAULT_MAX_MESSAGES, Duration.ZERO);
    }

    /**
     * Builds a policy from the configuration values: {@code mode} is {@code group}, {@code always} or
     * {@code never} (any case).
     */
    public static FsyncPolicy of(String mode, int maxMessages, long maxWaitMillis) {
        Objects.requireNonNull(mode, "mode");
        Mode m;
        try {
            m = Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage.fsync must be group, always or never: " + mode, e);
        }
        return new FsyncPolicy(m, maxMessages, Duration.ofMillis(maxWaitMillis));
    }
}
