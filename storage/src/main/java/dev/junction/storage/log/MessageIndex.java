package dev.junction.storage.log;

import dev.junction.storage.IdPage;
import dev.junction.storage.QueueKey;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The store's in-memory index: queue → ordered message ids, id → location and reference count, and the highest
 * id. It holds no bodies once they are written, only ids and locations. Guarded by the store's lock: the caller
 * holds it for every method here.
 */
final class MessageIndex {

    private static final Msg[] NONE = new Msg[0];

    private final LongMap<Msg> messages;
    private final Map<QueueKey, QueueState> queues;
    private int nextQueueId;
    private long highestId;

    MessageIndex(Recovery recovered) {
        this.messages = recovered.messages;
        this.queues = recovered.queues;
        this.nextQueueId = recovered.nextQueueId;
        this.highestId = recovered.highestId;
    }

    /**
     * Adds the message of a MESSAGE command to each of {@code targets}, creating the queues it is the first
     * for, and fills their ids into the command's payload.
     */
    void add(Cmd cmd, Set<QueueKey> targets) {
        long id = cmd.msg.id;
        if (messages.get(id) != null) {
            throw new IllegalArgumentException("message id " + id + " is already stored");
        }
        int n = targets.size();
        ByteBuffer ids = ByteBuffer.wrap(cmd.payload, 12, 4 * n);
        int i = 0;
        for (QueueKey key : targets) {
            QueueState q = queues.get(key);
            if (q == null) {
                q = new QueueState(key, nextQueueId++);
                queues.put(key, q);
            }
            q.ids.add(id);
            cmd.queues[i++] = q;
            ids.putInt(q.id);
        }
        cmd.msg.refs = n;
        messages.put(id, cmd.msg);
    }

    void raiseHighestId(long id) {
        highestId = Math.max(highestId, id);
    }

    long highestId() {
        return highestId;
    }

    /** The REMOVE command for one reference, or null when the queue does not hold the message. */
    Cmd remove(QueueKey queue, long messageId) {
        QueueState q = queues.get(queue);
        if (q == null || !q.ids.remove(messageId)) {
            return null;
        }
        Cmd cmd = new Cmd(Cmd.REMOVE, Records.REMOVE,
                ByteBuffer.allocate(12).putInt(q.id).putLong(messageId).array());
        cmd.queues = new QueueState[] {q};
        Msg msg = messages.get(messageId);
        cmd.freed = release(msg) ? new Msg[] {msg} : NONE;
        return cmd;
    }

    /** The REMOVE_QUEUE command that drops the queue, or null when it holds nothing. */
    Cmd removeQueue(QueueKey queue) {
        QueueState q = queues.remove(queue);
        if (q == null || q.ids.isEmpty()) {
            return null;
        }
        List<Msg> freed = new ArrayList<>();
        q.ids.forEach(id -> {
            Msg msg = messages.get(id);
            if (release(msg)) {
                freed.add(msg);
            }
        });
        q.ids.clear();
        Cmd cmd = new Cmd(Cmd.REMOVE_QUEUE, Records.REMOVE_QUEUE, ByteBuffer.allocate(4).putInt(q.id).array());
        cmd.queues = new QueueState[] {q};
        cmd.freed = freed.toArray(NONE);
        return cmd;
    }

    /** Drops one reference; true when it was the last and the body is gone from the index. */
    private boolean release(Msg msg) {
        if (--msg.refs == 0) {
            messages.remove(msg.id);
            return true;
        }
        return false;
    }

    /** Adds to {@code picked} up to {@code max} messages of the queue after {@code afterId}; false if no queue. */
    boolean pick(QueueKey queue, long afterId, int max, List<Pick> picked) {
        QueueState q = queues.get(queue);
        if (q == null) {
            return false;
        }
        q.ids.forEachAfter(afterId, max, id -> picked.add(Pick.of(messages.get(id))));
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
                picked.add(Pick.of(messages.get(id)));
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
            sizes[n[0]++] = messages.get(id).payloadLength;
        });
        return n[0] == ids.length ? new IdPage(ids, sizes)
                : new IdPage(java.util.Arrays.copyOf(ids, n[0]), java.util.Arrays.copyOf(sizes, n[0]));
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

    long messageCount() {
        return messages.size();
    }

    /**
     * Of the records {@code found} in {@code segment}, those that still hold a live message, each with the
     * queues that reference it now.
     */
    List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found) {
        List<Compactor.Copy> copies = new ArrayList<>();
        for (Compactor.Found f : found) {
            Msg m = messages.get(f.id());
            if (m == null || m.segment != segment || m.offset != f.offset()) {
                continue; // removed, or this is an older record of a reused id
            }
            List<QueueState> holders = new ArrayList<>(f.queues().length);
            for (QueueKey key : f.queues()) {
                QueueState q = key == null ? null : queues.get(key);
                if (q != null && q.ids.contains(m.id)) { // a record names each queue once
                    holders.add(q);
                }
            }
            if (holders.size() != m.refs) {
                // The record's queue list did not resolve (it never should); ask every queue instead.
                holders.clear();
                for (QueueState q : queues.values()) {
                    if (q.ids.contains(m.id)) {
                        holders.add(q);
                    }
                }
            }
            copies.add(new Compactor.Copy(m, f, holders.toArray(new QueueState[0])));
        }
        return copies;
    }
}
