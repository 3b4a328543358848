package dev.junction.storage.log;

import java.util.concurrent.CompletableFuture;

/**
 * One unit of work for the writer thread: what to append (the writer encodes the small records and checksums
 * every record), what the writer must tell the index once it is written, and the future to complete once it is
 * durable. Callers build a command under the store's lock in the same critical section as the index change it
 * records; the writer dispatches on its type.
 */
sealed interface Cmd {

    /** Completes once the command's record is durable (or fails with the write). */
    CompletableFuture<Void> future();

    /**
     * A new message: its MESSAGE payload (id, queue ids, body; the payload doubles as the copy of the caller's
     * bytes) and the queues it names, which need a QUEUE_NAME record in the segment first. The index fills in
     * the queues and their ids under the lock.
     */
    record Message(Msg msg, QueueState[] queues, CompletableFuture<Void> future) implements Cmd {
        Message(Msg msg, int queueCount) {
            this(msg, new QueueState[queueCount], new CompletableFuture<>());
        }
    }

    /** One REMOVE record; {@code freed} holds the id when this was its last reference, else nothing. */
    record Remove(QueueState queue, long messageId, long[] freed, CompletableFuture<Void> future) implements Cmd {
        Remove(QueueState queue, long messageId, long[] freed) {
            this(queue, messageId, freed, new CompletableFuture<>());
        }
    }

    /** One REMOVE record for each of {@code removed}, for one queue; {@code freed} are those that were last. */
    record RemoveMany(QueueState queue, long[] removed, long[] freed, CompletableFuture<Void> future)
            implements Cmd {
        RemoveMany(QueueState queue, long[] removed, long[] freed) {
            this(queue, removed, freed, new CompletableFuture<>());
        }
    }

    /** One REMOVE_QUEUE record: the queue dropped every reference it held; {@code freed} were the last ones. */
    record RemoveQueue(QueueState queue, long[] freed, CompletableFuture<Void> future) implements Cmd {
        RemoveQueue(QueueState queue, long[] freed) {
            this(queue, freed, new CompletableFuture<>());
        }
    }

    /** One ID_MARK record: an append routed to no queue, which still raises the highest id. */
    record IdMark(long id, CompletableFuture<Void> future) implements Cmd {
        IdMark(long id) {
            this(id, new CompletableFuture<>());
        }
    }

    /**
     * A put or delete of one metadata table entry: its record payload, the key, and on a put the entry the
     * store's state now holds (the writer's mirror shares it, and places it once durable when the table keeps
     * its bytes off the heap).
     */
    record Meta(MetaFormat<?> table, byte type, Object key, byte[] payload, MetaRecord entry,
                CompletableFuture<Void> future) implements Cmd {
        Meta(MetaFormat<?> table, byte type, Object key, byte[] payload, MetaRecord entry) {
            this(table, type, key, payload, entry, new CompletableFuture<>());
        }

        int recordBytes() {
            return Records.HEADER + payload.length;
        }
    }

    /** Writes nothing; completes once everything queued before it is durable. */
    record Barrier(CompletableFuture<Void> future) implements Cmd {
        Barrier() {
            this(new CompletableFuture<>());
        }
    }
}
