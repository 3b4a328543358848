package dev.junction.cluster.quorum;

import java.io.IOException;

/**
 * The formats a quorum group's snapshot has had, by the number it starts with. Each later one carries what the
 * earlier did and more; a snapshot in an earlier format still loads (what it lacks takes the value the version that
 * wrote it applied), so a node can restart on a snapshot its previous version took.
 */
enum SnapshotFormat {
    /** Before limits: the snapshot starts with its queue count (never negative), and holds no clock. */
    PLAIN(0),
    /** Queues carry length limits, messages their size and publish time; the log's clock follows the number. */
    LIMITS(-2),
    /** As {@link #LIMITS}, and each message its own expiry ({@link HeldMessage#expiresAt}). */
    EXPIRIES(-3),
    /** As {@link #EXPIRIES}, and each consumer its priority ({@code x-priority}; none before: 0). */
    PRIORITIES(-4),
    /**
     * As {@link #PRIORITIES}, and each queue its x-expires and the log time it was last used (none before: it never
     * expires, as that version did not expire it).
     */
    IDLE_EXPIRY(-5),
    /**
     * As {@link #IDLE_EXPIRY}, and each queue its dead-letter strategy and the messages dead-lettered at least once
     * and not yet confirmed by their target ({@link PendingDeadLetters}; none before: every queue dead-lettered at
     * most once).
     */
    PENDING_DEAD_LETTERS(-6),
    /** As {@link #PENDING_DEAD_LETTERS}, and each consumer whether it is exclusive (none before: none was). */
    EXCLUSIVE_CONSUMERS(-7);

    /** The format written now. */
    static final SnapshotFormat CURRENT = EXCLUSIVE_CONSUMERS;

    private final int marker;

    SnapshotFormat(int marker) {
        this.marker = marker;
    }

    /** The number a snapshot in this format starts with ({@link #PLAIN} has none: it starts with its count). */
    int marker() {
        return marker;
    }

    /** The format of a snapshot starting with {@code first}. */
    static SnapshotFormat of(int first) throws IOException {
        if (first >= 0) {
            return PLAIN;
        }
        for (SnapshotFormat f : values()) {
            if (f.marker == first) {
                return f;
            }
        }
        throw new IOException("quorum snapshot format " + first + " is from a newer version");
    }

    boolean carriesLimits() {
        return this != PLAIN;
    }

    boolean carriesExpiries() {
        return compareTo(EXPIRIES) >= 0;
    }

    boolean carriesPriorities() {
        return compareTo(PRIORITIES) >= 0;
    }

    boolean carriesIdleExpiry() {
        return compareTo(IDLE_EXPIRY) >= 0;
    }

    boolean carriesPendingDeadLetters() {
        return compareTo(PENDING_DEAD_LETTERS) >= 0;
    }

    boolean carriesExclusiveConsumers() {
        return compareTo(EXCLUSIVE_CONSUMERS) >= 0;
    }
}
