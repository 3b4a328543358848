package dev.junction.storage.log;

/**
 * Whether the writer may hold a group's fsync for the acks of the messages it appends, in
 * {@link FsyncPolicy.Mode#GROUP}. A message acknowledged on every queue before an fsync covered it needs none: its
 * append completes when its last reference goes ({@link MessageIndex#takeReleased}), as RabbitMQ confirms a
 * persistent message "when it is persisted to disk, or when it is consumed on every queue". With a consumer
 * keeping up, the ack of a message comes back within one round trip to the consumer, usually well inside the
 * group's {@code maxWait}; holding the fsync that long lets the ack arrive first, so a publisher that waits for
 * each confirm (Qpid JMS's synchronous persistent send, the JMS default) gets it after that round trip instead of
 * after an fsync, and one fsync covers all the group's writes instead of one per message.
 *
 * <p>Holding only helps while consumers ack, and otherwise only delays confirms by up to {@code maxWait}, so the
 * writer holds only while
 * <ul>
 *   <li>a removal (an ack, a drop) reached it within the last {@value #RECENT} × {@code maxWait}: a publisher
 *   with no consumer acking never waits; and</li>
 *   <li>the last hold did not end with appends still unacknowledged less than {@value #BACK_OFF} ×
 *   {@code maxWait} ago: a consumer that lags (a backlog ahead of the new messages) costs at most one wasted
 *   hold per back-off period, not one per group.</li>
 * </ul>
 * Confined to the writer thread.
 */
final class AckWait {
    static final int RECENT = 8;
    static final int BACK_OFF = 64;

    private final long recentNanos;
    private final long backOffNanos;
    private long lastRemoval;
    private boolean removalSeen;
    private long missedAt;
    private boolean missed;

    AckWait(long maxWaitNanos) {
        this.recentNanos = maxWaitNanos * RECENT;
        this.backOffNanos = maxWaitNanos * BACK_OFF;
    }

    /** The writer took a removal at {@code now}. */
    void removal(long now) {
        lastRemoval = now;
        removalSeen = true;
    }

    /** Whether a group whose appends are not all acknowledged yet may wait for their acks at {@code now}. */
    boolean mayWait(long now) {
        return removalSeen && now - lastRemoval <= recentNanos && !(missed && now - missedAt < backOffNanos);
    }

    /** A group that waited ended at {@code now} with appends still unacknowledged: back off for a while. */
    void missed(long now) {
        missed = true;
        missedAt = now;
    }
}
