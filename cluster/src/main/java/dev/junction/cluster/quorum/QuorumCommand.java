package dev.junction.cluster.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One entry of a quorum group's log: an operation on one quorum queue. Every member applies the same entries in
 * the same order to its own {@link QuorumQueueState}, so every replica of a queue holds the same messages, the same
 * consumers and the same assignment of messages to consumers.
 *
 * <p>{@code queue} names the queue ({@link #queueKey}); {@code consumer} is a consumer's id, which starts with the
 * id of the node its client is connected to ({@link #consumerId}), so the node that owns a consumer knows an
 * assignment is its own to deliver. {@code number} is the operation's one number (a credit, a delivery limit);
 * {@code ids} are message ids (settle, return); {@code body} an enqueued message's bytes.
 */
record QuorumCommand(Op op, String queue, String consumer, long number, long[] ids, byte[] body) {

    /** What an entry does. The ordinal is the encoded byte, so new operations go at the end. */
    enum Op {
        /**
         * Creates the queue's state (idempotent); {@code number} is x-delivery-limit or -1 for none; {@code ids}:
         * single active consumer (1) or not, then x-max-length, x-max-length-bytes, the overflow ({@link
         * #REJECT_PUBLISH} or drop-head), x-message-ttl and x-expires, each -1 for none, then the dead-letter
         * strategy ({@link #AT_LEAST_ONCE} or at most once). A declaration written before the limits were carried
         * has the first only: no limits; one written before the strategy was dead-letters at most once.
         */
        DECLARE,
        /**
         * Appends a message; its id is the command's {@linkplain QuorumBatch#position position} in the log, so ids
         * grow with the log on every replica. {@code consumer} is the submitting node's incarnation (which
         * dead-letters what this enqueue pushes out of the queue), {@code ids} the body's size (the payload, as
         * x-max-length-bytes counts) and its publish time in epoch milliseconds; an enqueue written before has
         * neither: its size is its encoding's, and it never expires.
         */
        ENQUEUE,
        /**
         * Adds a consumer with a prefetch of {@code number} (0: unlimited), last in the round-robin; {@code ids}
         * holds its x-priority ({@link ConsumerRound}), then 1 for an exclusive consumer (basic.consume {@code
         * exclusive}). An attach written before priorities were carried has no {@code ids}: priority 0, as every
         * consumer then had; one written before exclusivity was carried is not exclusive. Answered with 0, or with
         * {@link dev.junction.routing.quorum.QuorumLog#IN_EXCLUSIVE_USE}, attaching nothing, when exclusivity
         * refuses it.
         */
        ATTACH,
        /** Acknowledges {@code ids}: they leave the queue and free the consumer's prefetch. */
        SETTLE,
        /** Returns {@code ids} to the queue at their place (nack, reject with requeue), counting a delivery each. */
        RETURN,
        /** Removes the consumer; with {@code number} 1 its unsettled messages go back to the queue too. */
        DETACH,
        /** Drops every ready message. */
        PURGE,
        /** Drops the queue's state. */
        DELETE,
        /**
         * Detaches, returning their messages, every consumer whose id starts with {@code consumer} (a node's
         * prefix) but not with the prefix in {@code body} (that node's current incarnation, or empty) and, when
         * {@code number} is positive, that was attached before log index {@code number}.
         */
        DETACH_NODE,
        /** Not a command of its own: the first byte of an entry holding several ({@link QuorumBatch}). */
        BATCH,
        /**
         * Not a command of its own: the first byte of an entry holding several, each with its submitter's sequence
         * number so that one sent again is applied once ({@link QuorumBatch}, {@link ResendFilter}).
         */
        SEQUENCED_BATCH,
        /**
         * basic.get: takes the first ready message for {@code consumer}, a getter id of its node used for this one
         * get ({@link #consumerId}); with {@code number} 1 (no-ack) it leaves the queue at once, else it is checked
         * out to the getter until settled or returned as a consumer's is. Answered with the message's id, or 0 when
         * nothing is ready.
         */
        CHECKOUT,
        /**
         * Not a command of its own: the first byte of an entry holding several, as {@link #SEQUENCED_BATCH} with the
         * submitter's clock when it sent them ({@link QuorumBatch}), from which the queues judge x-message-ttl.
         */
        TIMED_BATCH,
        /**
         * Drops the queue's ready messages at its head that have outlived x-message-ttl by the log's clock, and
         * nothing else; {@code consumer} is the submitting node's incarnation, which dead-letters them. Proposed by
         * the group's leader when the head's expiry time comes ({@link ExpiryTimer}), so an idle queue's messages
         * leave on time. Answered with the number dropped.
         */
        EXPIRE,
        /**
         * Changes nothing: answered with the queue's consumers (on every node) and messages (ready and checked out,
         * or with {@code number} 1 ready only: {@link dev.junction.routing.quorum.QuorumUsage.Counted}) at its place
         * in the log ({@link #usage}), or -1 when there is no such queue. A read that goes through the log, so it
         * sees every command committed before it whichever node asks (queue.delete's if-unused and if-empty,
         * queue.declare-ok's counts). A node older than the ready count answers any usage counting both.
         */
        USAGE,
        /**
         * A consumer's (or getter's) {@code consumer} reject without requeue of {@code ids}: each leaves the consumer
         * and is dead-lettered with reason {@code rejected}, by the queue's strategy (at least once: kept pending in
         * the queue; at most once: by the consumer's node, as it applies this).
         */
        REJECT,
        /**
         * The dead-letter target confirmed the queue's pending dead letters {@code ids}: they leave the queue
         * ({@link PendingDeadLetters}). Proposed by the node that republished them; ids no longer pending are
         * skipped, so a message republished twice (after a leader change) is settled once. Answered with the
         * number removed.
         */
        SETTLE_DEAD_LETTERED
    }

    /** The largest count {@link #usage} carries of each; more is carried as this many. */
    static final long USAGE_CAP = 0x7fff_ffffL;

    /** A {@link Op#USAGE} answer: {@code consumers} and {@code messages}, each capped at {@link #USAGE_CAP}. */
    static long usage(long consumers, long messages) {
        return (Math.min(consumers, USAGE_CAP) << 32) | Math.min(messages, USAGE_CAP);
    }

    /** The consumers of a {@link Op#USAGE} answer. */
    static long usageConsumers(long answer) {
        return answer >>> 32;
    }

    /** The messages of a {@link Op#USAGE} answer. */
    static long usageMessages(long answer) {
        return answer & 0xffff_ffffL;
    }

    /** A queue's key in the log: vhost and name, which cannot contain a NUL. */
    static String queueKey(String vhost, String name) {
        return vhost + '\0' + name;
    }

    /** A consumer's id: the owning node's id, a slash, then an id unique on that node. */
    static String consumerId(String node, String local) {
        return node + '/' + local;
    }

    /** The node a consumer id belongs to. */
    static String nodeOf(String consumerId) {
        int slash = consumerId.indexOf('/');
        return slash < 0 ? consumerId : consumerId.substring(0, slash);
    }

    static QuorumCommand of(Op op, String queue) {
        return new QuorumCommand(op, queue, "", 0, new long[0], new byte[0]);
    }

    /** The overflow value of a declaration's {@code ids} for reject-publish; 0 is drop-head. */
    static final long REJECT_PUBLISH = 1;
    /** The dead-letter strategy value of a declaration's {@code ids} for at-least-once; 0 is at-most-once. */
    static final long AT_LEAST_ONCE = 1;

    static QuorumCommand enqueue(String queue, byte[] body) {
        return new QuorumCommand(Op.ENQUEUE, queue, "", 0, new long[0], body);
    }

    /** An enqueue from node incarnation {@code origin} of a message of {@code size} body bytes. */
    static QuorumCommand enqueue(String queue, String origin, byte[] body, long size, long publishedAt) {
        return new QuorumCommand(Op.ENQUEUE, queue, origin, 0, new long[] {size, publishedAt}, body);
    }

    /** Expires what is due at the head of {@code queue}; node incarnation {@code origin} dead-letters it. */
    static QuorumCommand expire(String queue, String origin) {
        return new QuorumCommand(Op.EXPIRE, queue, origin, 0, new long[0], new byte[0]);
    }

    /**
     * Detaches node {@code node}'s consumers (and returns their messages) in every queue of the group, but those of
     * its incarnation {@code keep} (empty: all), and with {@code before} positive only those attached before it.
     */
    static QuorumCommand detachNode(String node, String keep, long before) {
        return new QuorumCommand(Op.DETACH_NODE, "", node + '/', before, new long[0],
                keep.getBytes(StandardCharsets.UTF_8));
    }

    /** Attaches {@code consumer} with {@code prefetch} (0: unlimited) and its x-priority. */
    static QuorumCommand attach(String queue, String consumer, long prefetch, long priority) {
        return attach(queue, consumer, prefetch, priority, false);
    }

    /**
     * Attaches {@code consumer} with {@code prefetch} (0: unlimited), its x-priority, exclusive or not. A plain
     * attach is encoded as before exclusivity was carried.
     */
    static QuorumCommand attach(String queue, String consumer, long prefetch, long priority, boolean exclusive) {
        long[] ids = exclusive ? new long[] {priority, 1} : new long[] {priority};
        return new QuorumCommand(Op.ATTACH, queue, consumer, prefetch, ids, new byte[0]);
    }

    static QuorumCommand consumer(Op op, String queue, String consumer, long number, long... ids) {
        return new QuorumCommand(op, queue, consumer, number, ids, new byte[0]);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + body.length + 8 * ids.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(op.ordinal());
            out.writeUTF(queue);
            out.writeUTF(consumer);
            out.writeLong(number);
            out.writeInt(ids.length);
            for (long id : ids) {
                out.writeLong(id);
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static QuorumCommand decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            Op op = Op.values()[in.readUnsignedByte()];
            String queue = in.readUTF();
            String consumer = in.readUTF();
            long number = in.readLong();
            long[] ids = new long[in.readInt()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.readLong();
            }
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new QuorumCommand(op, queue, consumer, number, ids, body);
        } catch (IOException e) {
            throw new UncheckedIOException("not a quorum queue log entry", e);
        }
    }
}
