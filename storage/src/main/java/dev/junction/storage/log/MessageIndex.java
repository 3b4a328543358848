package dev.junction.storage.log;

import dev.junction.storage.IdPage;
import dev.junction.storage.QueueKey;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The store's in-memory index: queue → ordered message ids, id → location and reference count in a
 * {@link MessageTable}, the payloads still held in memory (not yet written, or in the writer's cache), and the
 * highest id. Guarded by the store's lock: the caller holds it for every method here.
 */
final class MessageIndex {

    private static final long[] NONE = new long[0];

    private final MessageTable table;
    private final LongMap<byte[]> payloads = new LongMap<>();
    /**
     * The append futures of messages the writer has not written yet. A message whose last reference goes before it
     * is written (consumed and acknowledged while the writer was busy with an fsync) has nothing left to keep: its
     * future completes then (see {@link #takeReleased}), as RabbitMQ confirms a message consumed before its store
     * wrote it, instead of after the next group has been forced to disk.
     */
    private final LongMap<CompletableFuture<Void>> unwritten = new LongMap<>();
    /** Futures of unwritten messages whose last reference went during the current call; null when none. */
    private List<CompletableFuture<Void>> released;
    private final Map<QueueKey, QueueState> queues;
    private int nextQueueId;
    private long highestId;

    MessageIndex(Recovery recovered) {
        this.table = recovered.messages;
        this.queues = recovered.queues;
        this.nextQueueId = recovered.nextQueueId;
        this.highestId = recovered.highestId;
    }

    /**
     * Adds the message of a MESSAGE command to each of {@code targets}, creating the queues it is the first
     * for, and fills their ids into the command's payload.
     */
    void add(Cmd.Message cmd, Set<QueueKey> targets) {
        byte[] payload = cmd.msg().payload;
        long id = cmd.msg().id;
        if (table.present(id)) {
            throw new IllegalArgumentException("message id " + id + " is already stored");
        }
        int n = targets.size();
        ByteBuffer ids = ByteBuffer.wrap(payload, 12, 4 * n);
        int i = 0;
        for (QueueKey key : targets) {
            QueueState q = queues.get(key);
            if (q == null) {
                q = new QueueState(key, nextQueueId++);
                queues.put(key, q);
            }
            q.ids.add(id);
            cmd.queues()[i++] = q;
            ids.putInt(q.id);
        }
        table.add(id, n, payload.length);
        payloads.put(id, payload);
        unwritten.put(id, cmd.future());
    }

    void raiseHighestId(long id) {
        highestId = Math.max(highestId, id);
    }

    long highestId() {
        return highestId;
    }

    /** The REMOVE command for one reference, or null when the queue does not hold the message. */
    Cmd.Remove remove(QueueKey queue, long messageId) {
        QueueState q = queues.get(queue);
        if (q == null || !q.ids.remove(messageId)) {
            return null;
        }
        return new Cmd.Remove(q, messageId, release(messageId) ? new long[] {messageId} : NONE);
    }

    /** The REMOVE_MANY command for those of {@code ids} the queue holds, or null when it holds none of them. */
    Cmd.RemoveMany removeMany(QueueKey queue, long[] ids) {
        QueueState q = queues.get(queue);
        if (q == null) {
            return null;
        }
        long[] removed = new long[ids.length];
        long[] freed = new long[ids.length];
        int r = 0;
        int f = 0;
        for (long id : ids) {
            if (q.ids.remove(id)) {
                removed[r++] = id;
                if (release(id)) {
                    freed[f++] = id;
                }
            }
        }
        if (r == 0) {
            return null;
        }
        return new Cmd.RemoveMany(q, Arrays.copyOf(removed, r), Arrays.copyOf(freed, f));
    }

    /** The REMOVE_QUEUE command that drops the queue, or null when it holds nothing. */
    Cmd.RemoveQueue removeQueue(QueueKey queue) {
        QueueState q = queues.remove(queue);
        if (q == null || q.ids.isEmpty()) {
            return null;
        }
        long[] freed = new long[q.ids.size()];
        int[] n = {0};
        q.ids.forEach(id -> {
            if (release(id)) {
                freed[n[0]++] = id;
            }
        });
        q.ids.clear();
        return new Cmd.RemoveQueue(q, Arrays.copyOf(freed, n[0]));
    }

    /**
     * Drops one reference; true when it was the last. The body's memory goes at once; its place in the table
     * stays until the writer has uncounted it from its segment ({@link #free}).
     */
    private boolean release(long id) {
        if (table.release(id)) {
            payloads.remove(id);
            CompletableFuture<Void> f = unwritten.remove(id);
            if (f != null) {
                if (released == null) {
                    released = new ArrayList<>();
                }
                released.add(f);
            }
            return true;
        }
        return false;
    }

    /**
     * The append futures of unwritten messages whose last reference the calls since the last take released, or
     * null; the caller completes them once it no longer holds the lock.
     */
    List<CompletableFuture<Void>> takeReleased() {
        List<CompletableFuture<Void>> r = released;
        released = null;
        return r;
    }



    // ---- the writer's side -------------------------------------------------------------------------------

    /** The writer wrote the message's record: readers find it there once its payload leaves memory. */
    void located(long id, Segment segment, long offset, int length) {
        unwritten.remove(id); // written now: its future waits for the fsync that covers it, as every write's does
        if (table.present(id)) {
            table.locate(id, segment, offset, length);
        }
    }

    /**
     * The writer wrote the removal that dropped the last references of {@code ids}: forgets them, telling
     * {@code uncount} the segment and payload length each was counted in.
     */
    void free(long[] ids, MessageLocations.LiveCounter uncount) {
        for (long id : ids) {
            Segment s = table.segment(id);
            if (s != null && table.refs(id) == 0) {
                uncount.count(s, table.length(id));
            }
            if (table.refs(id) == 0) {
                table.free(id);
            }
        }
    }

    /** The writer lets go of the payloads it no longer caches; reads go to the disk from now on. */
    void evict(long[] ids, int n) {
        for (int i = 0; i < n; i++) {
            payloads.remove(ids[i]);
        }
    }

    // ---- reading -----------------------------------------------------------------------------------------

    /** Where to read a present message now. */
    Pick pick(long id) {
        byte[] payload = payloads.get(id);
        return payload != null ? new Pick(id, payload, null, 0, 0)
                : new Pick(id, null, table.segment(id), table.offset(id), table.length(id));
    }

    /** Adds to {@code picked} up to {@code max} messages of the queue after {@code afterId}; false if no queue. */
    boolean pick(QueueKey queue, long afterId, int max, List<Pick> picked) {
        QueueState q = queues.get(queue);
        if (q == null) {
            return false;
        }
        q.ids.forEachAfter(afterId, max, id -> picked.add(pick(id)));
        return true;
    }

    /** Adds to {@code picked} those of {@code ids} the queue still holds, in the order given. */
    void pick(QueueKey queue, long[] ids, List<Pick> picked) {
        QueueState q = queues.get(queue);
        if (q == null) {
            return;
        }
        for (long id : ids) {
            if (q.ids.contains(id)) {
                picked.add(pick(id));
            }
        }
    }

    /** Up to {@code max} of the queue's ids after {@code afterId}, with their stored payload lengths. */
    IdPage ids(QueueKey queue, long afterId, int max) {
        QueueState q = queues.get(queue);
        if (q == null || max == 0) {
            return IdPage.EMPTY;
        }
        long[] ids = new long[Math.min(max, q.ids.size())];
        int[] sizes = new int[ids.length];
        int[] n = {0};
        q.ids.forEachAfter(afterId, ids.length, id -> {
            ids[n[0]] = id;
            sizes[n[0]++] = table.length(id);
        });
        return n[0] == ids.length ? new IdPage(ids, sizes)
                : new IdPage(Arrays.copyOf(ids, n[0]), Arrays.copyOf(sizes, n[0]));
    }

    long count(QueueKey queue) {
        QueueState q = queues.get(queue);
        return q == null ? 0 : q.ids.size();
    }

    /** The queues that hold at least one message. */
    Set<QueueKey> liveQueues() {
        Set<QueueKey> live = new HashSet<>();
        queues.forEach((k, q) -> {
            if (!q.ids.isEmpty()) {
                live.add(k);
            }
        });
        return Set.copyOf(live);
    }

    /** Messages referenced by at least one queue. */
    long messageCount() {
        return table.live();
    }

    // ---- compaction --------------------------------------------------------------------------------------

    /**
     * Of the records {@code found} in {@code segment}, those that still hold a live message, each with the
     * queues that reference it now.
     */
    List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found) {
        List<Compactor.Copy> copies = new ArrayList<>();
        for (Compactor.Found f : found) {
            long id = f.id();
            int refs = table.refs(id);
            if (refs <= 0 || table.segment(id) != segment || table.offset(id) != f.offset()) {
                continue; // removed, or this is an older record of the message
            }
            List<QueueState> holders = new ArrayList<>(f.queues().length);
            for (QueueKey key : f.queues()) {
                QueueState q = key == null ? null : queues.get(key);
                if (q != null && q.ids.contains(id)) { // a record names each queue once
                    holders.add(q);
                }
            }
            if (holders.size() != refs) {
                // The record's queue list did not resolve (it never should); ask every queue instead.
                holders.clear();
                for (QueueState q : queues.values()) {
                    if (q.ids.contains(id)) {
                        holders.add(q);
                    }
                }
            }
            copies.add(new Compactor.Copy(id, f, holders.toArray(new QueueState[0])));
        }
        return copies;
    }

    /** Compaction wrote the copies: readers find the messages there from now on. */
    void moved(List<Compactor.Copy> copies) {
        for (Compactor.Copy c : copies) {
            table.locate(c.id, c.segment, c.offset, c.payloadLength);
        }
    }
}
