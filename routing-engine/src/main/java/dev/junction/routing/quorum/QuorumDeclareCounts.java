package dev.junction.routing.quorum;

import dev.junction.routing.api.QueueInfo;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code queue.declare-ok}'s counts (AMQP 0-9-1: {@code message-count}, the ready messages, and {@code
 * consumer-count}) for a replicated quorum queue, passive or not: as the queue's log holds them, not as this node's
 * replica has applied them so far. RabbitMQ answers a quorum queue's declare from its leader's state, so an
 * application that publishes with confirms on one node and then passively declares the queue on another, to read its
 * depth, counts every message confirmed to it; a follower's replica may not have applied those enqueues yet.
 *
 * <p>The counts are the answer of a usage command ({@link QuorumLog#usage}, counting {@link QuorumUsage.Counted#READY
 * ready} messages): an entry appended to the queue's log by its leader after the declare arrived, and answered by
 * the leader as it applies that entry. Every write committed before the declare was received (a confirmed publish,
 * an answered consume or cancel, from any node) sits earlier in the log, so the answer counts it: a linearizable
 * read, at the cost of a log round trip (a write and a force on a majority) added to each such declare-ok.
 *
 * <p>When the log does not answer (this node is cut off from the group's majority: the usage path's own timeout; a
 * log that cannot count) the declare-ok reports this node's replica, as it did before: a declare keeps working,
 * with counts that may lag. A passive declare on a node cut off from the metadata log's majority is refused before
 * this, by its read barrier. The management API and the metrics keep reading the replica: a log entry per poll per
 * queue would cost too much.
 */
public final class QuorumDeclareCounts {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumDeclareCounts.class);

    private QuorumDeclareCounts() {
    }

    /** {@code replica} (the declared queue's info with this node's replica's counts) with the log's counts. */
    public static CompletableFuture<QueueInfo> of(ReplicatedQuorumQueue queue, QueueInfo replica) {
        CompletableFuture<QuorumUsage> usage;
        try {
            usage = queue.usage(QuorumUsage.Counted.READY);
        } catch (RuntimeException e) {
            usage = CompletableFuture.failedFuture(e);
        }
        return usage.handle((counted, failed) -> {
            if (failed != null) {
                LOG.debug("{}: declare-ok reports this node's replica, the log did not count: {}", queue,
                        failed.toString());
                return replica;
            }
            return counted == null ? replica : new QueueInfo(replica.name(), replica.spec(), capped(counted.messages()),
                    capped(counted.consumers()));
        });
    }

    /** declare-ok's counts are 32-bit (AMQP 0-9-1 long); the log caps its own below that. */
    private static int capped(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }
}
