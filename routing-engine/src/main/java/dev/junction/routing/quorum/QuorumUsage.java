package dev.junction.routing.quorum;

import dev.junction.routing.api.BrokerException;
import dev.junction.storage.QueueKey;

/**
 * A quorum queue's use at one place in its log: its consumers on every node and its messages, ready or checked out
 * to a consumer or a get. What queue.delete's {@code if-unused} and {@code if-empty} are judged by.
 */
public record QuorumUsage(long consumers, long messages) {

    /** Which messages a usage counts. The ordinal is what the log's command carries, so new kinds go at the end. */
    public enum Counted {
        /** Ready and checked out to a consumer or a get: what queue.delete's {@code if-empty} judges. */
        HELD,
        /** Ready only: queue.declare-ok's {@code message-count}, as RabbitMQ's quorum queues report it. */
        READY
    }

    /**
     * queue.delete's {@code if-unused} and {@code if-empty} (AMQP 0-9-1 {@code queue.delete}): throws 406
     * PRECONDITION_FAILED, worded as for a classic queue, when the queue has consumers on any node or holds messages
     * (ready, or checked out to a consumer or a get); a null {@code usage} (the log holds no such queue) passes.
     *
     * <p>The usage is a command's answer at its place in the queue's log, not this node's replica: a replica may not
     * have applied yet what the log committed (a consumer attached on another node a moment ago, a message just
     * confirmed to its publisher), and the log's order makes the answer see every command committed before the
     * delete was asked, whichever node asks. The check does not delete: the definition goes through the metadata log
     * afterwards, which may still refuse (no majority), and a queue whose messages went first would be left declared
     * and empty. A consumer attaching between the check and the delete is cancelled by the delete, as one that
     * attached just after it would find no queue.
     */
    static void require(QuorumUsage usage, boolean ifUnused, boolean ifEmpty, QueueKey queue) {
        if (usage == null) {
            return;
        }
        if (ifUnused && usage.consumers() > 0) {
            throw BrokerException.preconditionFailed(queue + " in use");
        }
        if (ifEmpty && usage.messages() > 0) {
            throw BrokerException.preconditionFailed(queue + " is not empty");
        }
    }
}
