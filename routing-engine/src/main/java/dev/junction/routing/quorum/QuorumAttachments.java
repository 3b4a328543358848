package dev.junction.routing.quorum;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.storage.QueueKey;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node's consumers of one {@link ReplicatedQuorumQueue} are attached in its log: with their prefetch,
 * x-priority and exclusivity, which the log judges in its order, the same on every node.
 *
 * <p>AMQP 0-9-1 basic.consume {@code exclusive}: "Request exclusive consumer access, meaning only this consumer can
 * access the queue". The log refuses an exclusive consumer while the queue has any consumer, on any node, and any
 * consumer while an exclusive one is attached ({@link QuorumLog#IN_EXCLUSIVE_USE}); the consume fails with
 * ACCESS_REFUSED and the text a classic queue's refusal has ("queue 'q' in vhost '/' in exclusive use"), which an
 * AMQP 0-9-1 adapter sends as a 403 channel close, as RabbitMQ does. The consume-ok waits for that answer, as it
 * waits for every attachment's commit.
 */
final class QuorumAttachments {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumAttachments.class);

    private final ReplicatedQuorumQueue queue;
    private final QuorumLog log;
    private final String vhost;
    private final String name;

    QuorumAttachments(ReplicatedQuorumQueue queue, QuorumLog log, String vhost, String name) {
        this.queue = queue;
        this.log = log;
        this.vhost = vhost;
        this.name = name;
    }

    /**
     * Attaches {@code c}; completes once the log has, or fails: ACCESS_REFUSED (exclusivity), NOT_FOUND (the log
     * has no such queue, even after it was declared again), or the log's own failure (no majority, the submitter's
     * resends run out). After any failure the consumer is also detached in the log: a failed submission may still
     * have been committed, and a consumer the log holds that no node serves would take its share of the messages
     * (given back each time) and, if exclusive, refuse every other consumer until its node was judged silent. The
     * detach is idempotent, so after a refusal it changes nothing.
     */
    CompletableFuture<Long> attach(QuorumConsumer c) {
        return send(c).thenCompose(answer -> answer >= 0 || answer == QuorumLog.IN_EXCLUSIVE_USE
                ? CompletableFuture.completedFuture(answer) : attachDeclared(c)).thenApply(this::accepted)
                .whenComplete((answer, failed) -> {
                    if (failed != null) {
                        log.detach(vhost, name, c.id(), true);
                    }
                });
    }

    /**
     * The log answered the attachment with "no such queue": this node's declaration did not reach it (it failed, as
     * one sent before the group had a leader can, after the attachment was already asked) or the queue's state went
     * with a delete. Attached to nothing, the consumer would have waited for ever while other nodes' publishes were
     * confirmed, so the queue is declared again and the consumer attached after it; a second refusal fails the
     * consume.
     */
    private CompletableFuture<Long> attachDeclared(QuorumConsumer c) {
        queue.declareAgain();
        return send(c).thenApply(answer -> {
            if (answer < 0 && answer != QuorumLog.IN_EXCLUSIVE_USE) {
                throw new BrokerException(ErrorKind.NOT_FOUND, "no queue '" + name + "' in vhost '" + vhost
                        + "' in its quorum group");
            }
            return answer;
        });
    }

    private long accepted(long answer) {
        if (answer == QuorumLog.IN_EXCLUSIVE_USE) {
            throw BrokerException.accessRefused(new QueueKey(vhost, name) + " in exclusive use");
        }
        return answer;
    }

    /**
     * Attaches {@code c} again after a leader detached this node's consumers (its node was judged silent). Another
     * node's consumer may have come meanwhile: a consumer the log now refuses for exclusivity is cancelled, with its
     * own reason ({@link dev.junction.routing.api.CancelReason#IN_EXCLUSIVE_USE}: AMQP 0-9-1 basic.cancel to a client
     * that takes it, AMQP 1.0 {@code amqp:resource-locked}), instead of staying attached to nothing.
     */
    void reattach(QuorumConsumer c) {
        send(c).thenAccept(answer -> {
            if (answer == QuorumLog.IN_EXCLUSIVE_USE) {
                LOG.info("{} not attached again after its node was judged silent: {} in exclusive use", c,
                        new QueueKey(vhost, name));
                queue.refused(c);
            }
        });
    }

    private CompletableFuture<Long> send(QuorumConsumer c) {
        return log.attach(vhost, name, c.id(), c.prefetch(), c.priority(), c.exclusive());
    }
}
