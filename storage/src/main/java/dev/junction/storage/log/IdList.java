package dev.junction.storage.log;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The message ids one queue references, in id order, in a packed {@code long[]}: 8 bytes a reference.
 *
 * <p>Ids mostly arrive in increasing order and mostly leave from the front, so adding at the end and trimming
 * the front are O(1); an out-of-order add shifts the ids on its shorter side (towards the front into a gap that
 * is made there when needed). A removed id in the middle is marked by
 * negating it and squeezed out once marks outnumber live ids. Not thread-safe: guarded by the store's lock.
 */
final class IdList {

    private long[] ids = new long[8];
    private int head;
    private int tail;
    private int live;

    int size() {
        return live;
    }

    boolean isEmpty() {
        return live == 0;
    }

    /** Adds {@code id} (positive); returns false if it is already present. */
    boolean add(long id) {
        if (live == 0) {
            head = 0;
            tail = 0;
        }
        if (tail == head || id > Math.abs(ids[tail - 1])) {
            if (tail == ids.length) {
                makeRoom();
            }
            ids[tail++] = id;
            live++;
            return true;
        }
        int i = search(id);
        if (i >= 0) {
            if (ids[i] > 0) {
                return false;
            }
            ids[i] = id; // a removed id coming back in its old slot
            live++;
            return true;
        }
        int at = -i - 1;
        if (at - head < tail - at) {
            // Nearer the front (as when recovery meets ids that compaction wrote again at the head of the
            // log): shift the ids before it one slot towards the front, making room there if there is none.
            if (head == 0) {
                at += makeFrontRoom();
            }
            System.arraycopy(ids, head, ids, head - 1, at - head);
            head--;
            ids[at - 1] = id;
            live++;
            return true;
        }
        if (tail == ids.length) {
            makeRoom();
            at = -search(id) - 1; // squeezing out marks moved the ids before it too
        }
        System.arraycopy(ids, at, ids, at + 1, tail - at);
        ids[at] = id;
        tail++;
        live++;
        return true;
    }

    /** Removes {@code id}; returns false if it was not present. */
    boolean remove(long id) {
        int i = search(id);
        if (i < 0 || ids[i] < 0) {
            return false;
        }
        ids[i] = -id;
        live--;
        while (head < tail && ids[head] < 0) {
            head++;
        }
        while (tail > head && ids[tail - 1] < 0) {
            tail--;
        }
        if (live == 0) {
            head = 0;
            tail = 0;
            if (ids.length > 64) {
                ids = new long[8];
            }
        } else if (tail - head > 2 * live + 32) {
            squeeze();
        }
        return true;
    }

    void clear() {
        ids = new long[8];
        head = 0;
        tail = 0;
        live = 0;
    }

    boolean contains(long id) {
        int i = search(id);
        return i >= 0 && ids[i] > 0;
    }

    /** Calls {@code sink} with up to {@code max} ids greater than {@code afterId}, in order. */
    void forEachAfter(long afterId, int max, LongConsumer sink) {
        int i = search(afterId);
        int from = i >= 0 ? i + 1 : -i - 1;
        int taken = 0;
        for (int k = from; k < tail && taken < max; k++) {
            if (ids[k] > 0) {
                sink.accept(ids[k]);
                taken++;
            }
        }
    }

    void forEach(LongConsumer sink) {
        for (int k = head; k < tail; k++) {
            if (ids[k] > 0) {
                sink.accept(ids[k]);
            }
        }
    }

    /** Index of {@code id} (present or marked removed) in [head, tail), or -(insertion point) - 1. */
    private int search(long id) {
        int lo = head;
        int hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = Math.abs(ids[mid]);
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Moves the ids right to leave a gap at the front of about half their number; returns the shift. */
    private int makeFrontRoom() {
        int n = tail - head;
        int gap = Math.max(8, n >> 1);
        long[] target = ids.length - n >= gap ? ids : new long[n + gap + Math.max(8, n >> 2)];
        System.arraycopy(ids, head, target, gap, n);
        int shift = gap - head;
        ids = target;
        head = gap;
        tail = gap + n;
        return shift;
    }

    /** Frees space at the end: squeezes out marks, then grows if still at least half full. */
    private void makeRoom() {
        squeeze();
        if (tail >= ids.length / 2) {
            ids = Arrays.copyOf(ids, Math.max(8, ids.length + (ids.length >> 1)));
        }
    }

    private void squeeze() {
        int w = 0;
        for (int k = head; k < tail; k++) {
            if (ids[k] > 0) {
                ids[w++] = ids[k];
            }
        }
        head = 0;
        tail = w;
        if (ids.length > 64 && w < ids.length / 4) {
            ids = Arrays.copyOf(ids, Math.max(8, w * 2));
        }
    }
}
