package dev.junction.storage.log;

/**
 * Where each stored message's record is and how many queues reference it, in columns: 16 bytes a message and no
 * object per message, so an index of ten million messages costs about 160 MB rather than a gigabyte.
 *
 * <p>The engine hands out message ids densely, so the table is indexed by id in chunks of {@value #CHUNK}; a
 * chunk goes once none of its ids is present. A message whose last reference went stays present (with no
 * references) until the writer has uncounted it from its segment ({@link #free}), because its location may not
 * even be known when the last queue lets go of it.
 *
 * <p>Not thread-safe: the store's lock guards it (recovery uses it alone, before the store opens).
 */
final class MessageTable {

    private static final int SHIFT = 12;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    private static final class Chunk {
        final Segment[] segment = new Segment[CHUNK];
        final int[] offset = new int[CHUNK];
        final int[] length = new int[CHUNK];
        /** References; -1 marks an absent id, so that 0 can mean "present, waiting to be freed". */
        final int[] refs = new int[CHUNK];
        int present;

        Chunk() {
            java.util.Arrays.fill(refs, -1);
        }
    }

    private final LongMap<Chunk> chunks = new LongMap<>();
    /** Messages with at least one reference. */
    private long live;

    private Chunk chunk(long id) {
        return chunks.get((id >>> SHIFT) + 1); // LongMap keys are positive
    }

    /** Whether {@code id} is present, referenced or waiting to be freed. */
    boolean present(long id) {
        Chunk c = chunk(id);
        return c != null && c.refs[(int) (id & MASK)] >= 0;
    }

    /** Adds a message with {@code refs} references and a payload of {@code length} bytes, location unknown. */
    void add(long id, int refs, int length) {
        long key = (id >>> SHIFT) + 1;
        Chunk c = chunks.get(key);
        if (c == null) {
            c = new Chunk();
            chunks.put(key, c);
        }
        int i = (int) (id & MASK);
        if (c.refs[i] >= 0) {
            throw new IllegalArgumentException("message id " + id + " is already stored");
        }
        c.refs[i] = refs;
        c.length[i] = length;
        c.segment[i] = null;
        c.present++;
        if (refs > 0) {
            live++;
        }
    }

    /** References of a present message (0 once released), or -1 when absent. */
    int refs(long id) {
        Chunk c = chunk(id);
        return c == null ? -1 : c.refs[(int) (id & MASK)];
    }

    /** Drops one reference; true when it was the last. The message stays present until {@link #free}. */
    boolean release(long id) {
        Chunk c = chunk(id);
        int i = (int) (id & MASK);
        if (c == null || c.refs[i] <= 0) {
            throw new IllegalStateException("message " + id + " has no reference to release");
        }
        if (--c.refs[i] == 0) {
            live--;
            return true;
        }
        return false;
    }

    /** Adds a reference to a present message (recovery: a later record names one more queue). */
    void retain(long id) {
        Chunk c = chunk(id);
        int i = (int) (id & MASK);
        if (c.refs[i]++ == 0) {
            live++;
        }
    }

    void locate(long id, Segment segment, long offset, int length) {
        Chunk c = chunk(id);
        int i = (int) (id & MASK);
        c.segment[i] = segment;
        c.offset[i] = Math.toIntExact(offset);
        c.length[i] = length;
    }

    /** The segment holding the message's record, or null while it is not written yet (or absent). */
    Segment segment(long id) {
        Chunk c = chunk(id);
        return c == null ? null : c.segment[(int) (id & MASK)];
    }

    /** File offset of the record's header in its {@link #segment}; 0 for an absent message. */
    long offset(long id) {
        Chunk c = chunk(id);
        return c == null ? 0 : c.offset[(int) (id & MASK)];
    }

    /** Length of the message's payload (id, queue ids, body) at its current location; 0 for an absent one. */
    int length(long id) {
        Chunk c = chunk(id);
        return c == null ? 0 : c.length[(int) (id & MASK)];
    }

    /** Removes a message whose references are gone; a chunk with nothing present is dropped. */
    void free(long id) {
        long key = (id >>> SHIFT) + 1;
        Chunk c = chunks.get(key);
        int i = (int) (id & MASK);
        if (c == null || c.refs[i] < 0) {
            return;
        }
        if (c.refs[i] > 0) {
            live--;
        }
        c.refs[i] = -1;
        c.segment[i] = null;
        if (--c.present == 0) {
            chunks.remove(key);
        }
    }

    /** Messages with at least one reference. */
    long live() {
        return live;
    }
}
