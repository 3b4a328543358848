package dev.junction.storage;

/**
 * A page of one queue's message ids in id order, with the size in bytes of each message's stored data at the same
 * index. Arrays rather than objects: a recovering queue lists millions of these.
 */
public record IdPage(long[] ids, int[] sizes) {

    public static final IdPage EMPTY = new IdPage(new long[0], new int[0]);

    public IdPage {
        if (ids.length != sizes.length) {
            throw new IllegalArgumentException("ids and sizes differ in length");
        }
    }

    public int size() {
        return ids.length;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** The last id of the page; the page must not be empty. */
    public long lastId() {
        return ids[ids.length - 1];
    }
}
