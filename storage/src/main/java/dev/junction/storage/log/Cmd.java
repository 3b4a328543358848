package dev.junction.storage.log;

import java.util.concurrent.CompletableFuture;

/**
 * One unit of work for the writer thread: a record to append (encoded on the caller's thread, checksummed by
 * the writer), what the writer must update once it is written, and the future to complete once it is durable.
 */
final class Cmd {

    static final int MESSAGE = 1;
    static final int REMOVE = 2;
    static final int REMOVE_QUEUE = 3;
    static final int ID_MARK = 4;
    static final int META = 5;
    /** Writes nothing; completes once everything queued before it is durable. */
    static final int BARRIER = 6;
    /** One REMOVE record for each of {@link #removed}, for one queue. */
    static final int REMOVE_MANY = 7;

    final int kind;
    final byte type;
    final byte[] payload;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    /** MESSAGE: the message being written. */
    Msg msg;
    /** Queues the record names, which need a QUEUE_NAME record in the segment first. */
    QueueState[] queues;
    /** REMOVE, REMOVE_QUEUE, REMOVE_MANY: ids of the messages whose last reference this command drops. */
    long[] freed;
    /** REMOVE_MANY: the ids whose reference the queue ({@code queues[0]}) drops. */
    long[] removed;
    /** META: the key the record puts or deletes. */
    Object metaKey;
    /** META RETAINED_PUT: the record the store's state holds, which the writer places once it is durable. */
    RetainedRecord retained;

    Cmd(int kind, byte type, byte[] payload) {
        this.kind = kind;
        this.type = type;
        this.payload = payload;
    }

    static Cmd barrier() {
        return new Cmd(BARRIER, (byte) 0, null);
    }

    int recordBytes() {
        return payload == null ? 0 : Records.HEADER + payload.length;
    }
}
