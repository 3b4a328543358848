package dev.junction.routing.queue;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The ready messages of a durable queue that wait behind its in-memory {@link ReadyList}, in arrival order. A
 * message the store holds for the queue is kept here as its store id alone (12 bytes, 20 with an expiry), so a
 * queue of millions costs little heap; its body is read back when the in-memory window has room. A message the
 * store does not hold (a transient one arriving while a backlog exists) keeps its place as a held entry, in
 * memory, so that order is never broken.
 *
 * <p>Owned by the queue's thread, like the rest of its state.
 */
final class Backlog {

    private static final int CHUNK = 4096;
    /** The slot of a held entry rather than a stored id. */
    private static final long HELD = 0;

    private static final class Chunk {
        final long[] ids = new long[CHUNK];
        final int[] sizes = new int[CHUNK];
        /** Allocated with the chunk's first message that can expire. */
        long[] expiresAt;
        int head;
        int tail;

        void put(int i, long id, int size, long expiry) {
            if (expiry != Long.MAX_VALUE && expiresAt == null) {
                expiresAt = new long[CHUNK];
                java.util.Arrays.fill(expiresAt, Long.MAX_VALUE);
            }
            if (expiresAt != null) {
                expiresAt[i] = expiry;
            }
            ids[i] = id;
            sizes[i] = size;
        }
    }

    /** Made with the first message: most queues never page out, and an empty backlog then costs nothing. */
    private ArrayDeque<Chunk> chunks;
    private ArrayDeque<QueueEntry> held;
    private int count;
    private long bytes;

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Adds a message the store holds for the queue, by id, with the size it counts for and its expiry. */
    void addStored(long id, int size, long expiresAt) {
        add(id, size, expiresAt);
    }

    /** Adds a message the store does not hold; it stays in memory, in its place. */
    void addHeld(QueueEntry e) {
        if (held == null) {
            held = new ArrayDeque<>();
        }
        held.addLast(e);
        add(HELD, e.size(), Long.MAX_VALUE);
    }

    private void add(long id, int size, long expiresAt) {
        if (chunks == null) {
            chunks = new ArrayDeque<>();
        }
        Chunk c = chunks.peekLast();
        if (c == null || c.tail == CHUNK) {
            c = new Chunk();
            chunks.addLast(c);
        }
        c.put(c.tail++, id, size, expiresAt);
        count++;
        bytes += size;
    }

    /** Whether the oldest message is a held entry (take it with {@link #takeHeld}). */
    boolean frontIsHeld() {
        Chunk c = chunks == null ? null : chunks.peekFirst();
        return c != null && c.ids[c.head] == HELD;
    }

    QueueEntry takeHeld() {
        if (!frontIsHeld()) {
            throw new IllegalStateException("the oldest backlog message is not held in memory");
        }
        QueueEntry e = held.pollFirst();
        pop();
        return e;
    }

    /**
     * Takes up to {@code max} of the oldest messages, and at most about {@code maxBytes} of them (always at least
     * one), stopping before a held entry, into {@code out}; returns how many. Their ids, sizes and expiries are at
     * the same index of {@code out}'s arrays.
     */
    int takeStored(int max, long maxBytes, Taken out) {
        int n = 0;
        long bytes = 0;
        while (n < max && chunks != null) {
            Chunk c = chunks.peekFirst();
            if (c == null || c.ids[c.head] == HELD || (n > 0 && bytes + c.sizes[c.head] > maxBytes)) {
                break;
            }
            bytes += c.sizes[c.head];
            out.ids[n] = c.ids[c.head];
            out.sizes[n] = c.sizes[c.head];
            out.expiresAt[n] = c.expiresAt == null ? Long.MAX_VALUE : c.expiresAt[c.head];
            n++;
            pop();
        }
        return n;
    }

    private void pop() {
        Chunk c = chunks.peekFirst();
        count--;
        bytes -= c.sizes[c.head];
        if (++c.head == c.tail) {
            chunks.pollFirst();
        }
    }

    /** Puts the first {@code n} messages of {@code taken} back at the front, in their order (a read failed). */
    void untake(Taken taken, int n) {
        Chunk c = new Chunk();
        for (int i = 0; i < n; i++) {
            c.put(i, taken.ids[i], taken.sizes[i], taken.expiresAt[i]);
            bytes += taken.sizes[i];
        }
        c.tail = n;
        count += n;
        if (chunks == null) {
            chunks = new ArrayDeque<>();
        }
        chunks.addFirst(c);
    }

    /** Empties the backlog, handing every stored id to {@code storedIds}; held entries are simply dropped. */
    void clear(LongConsumer storedIds) {
        if (chunks != null) {
            for (Chunk c : chunks) {
                for (int i = c.head; i < c.tail; i++) {
                    if (c.ids[i] != HELD) {
                        storedIds.accept(c.ids[i]);
                    }
                }
            }
        }
        chunks = null;
        held = null;
        count = 0;
        bytes = 0;
    }

    /** Reusable arrays for {@link #takeStored}. */
    static final class Taken {
        final long[] ids;
        final int[] sizes;
        final long[] expiresAt;

        Taken(int capacity) {
            ids = new long[capacity];
            sizes = new int[capacity];
            expiresAt = new long[capacity];
        }
    }
}
