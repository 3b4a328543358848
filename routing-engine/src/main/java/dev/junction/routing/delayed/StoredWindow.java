package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import dev.junction.storage.TimeIndex;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The part of a durable delayed exchange's stored messages that is on the heap: the earliest ones, up to about
 * {@link #SIZE}, as entries of the exchange's due-time map; the rest are only in the store's {@link TimeIndex}.
 *
 * <h2>The horizon</h2>
 * Every stored entry at or before the horizon (due time, id) is in the map or released; every one after it is on
 * disk only. An entry noted at or before the horizon goes into the map as well as the index, one after it into the
 * index only. When the map holds fewer than {@link #LOW} stored entries it is refilled with the next ones from the
 * index and the horizon moves to the last of them; when the index had fewer than asked, it holds nothing further
 * and the horizon is unbounded until the map grows to twice {@link #SIZE} and its latest stored entries are
 * dropped again (they stay in the index). So the heap holds at most about 2 × {@link #SIZE} stored entries
 * whatever the number pending, and a refill is one read of the index per {@link #SIZE} releases.
 *
 * <p>Owner thread only (the exchange's), like the index.
 */
final class StoredWindow {
    static final int SIZE = 4096;
    static final int LOW = SIZE / 4;

    private final HeldStore store;
    private final NavigableMap<Due, Message> pending;
    private final Message marker;
    private long horizonAt;
    private long horizonId;
    /** Stored entries in {@link #pending}. */
    private int inWindow;
    /** The latest due time released, whose earlier time buckets the index may forget. */
    private long releasedAt = Long.MIN_VALUE;

    /**
     * @param pending the exchange's due-time map, shared with its messages held in memory
     * @param marker the value that marks a stored entry in {@code pending}
     * @param recovered whether the index may hold entries already (a recovered exchange): then nothing is on the
     *     heap yet and the first {@link #refill} reads them
     */
    StoredWindow(HeldStore store, NavigableMap<Due, Message> pending, Message marker, boolean recovered) {
        this.store = store;
        this.pending = pending;
        this.marker = marker;
        this.horizonAt = recovered ? Long.MIN_VALUE : Long.MAX_VALUE;
        this.horizonId = recovered ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    private boolean withinHorizon(long at, long id) {
        return at < horizonAt || (at == horizonAt && id <= horizonId);
    }

    /** A durably stored message; true when it went onto the heap as well (so the timer may need to move). */
    boolean add(long dueAt, long id) {
        store.index().add(dueAt, id);
        if (!withinHorizon(dueAt, id)) {
            return false;
        }
        pending.put(new Due(dueAt, id, id), marker);
        if (++inWindow >= 2 * SIZE) {
            shrink();
        }
        return true;
    }

    /** Ends a batch of {@link #add}s: writes them to the index. */
    void flush() {
        store.index().flush();
    }

    /** Drops the latest stored entries from the heap down to {@link #SIZE}; they are in the index already. */
    private void shrink() {
        Due lowestDropped = null;
        Iterator<Map.Entry<Due, Message>> it = pending.descendingMap().entrySet().iterator();
        while (inWindow > SIZE && it.hasNext()) {
            Due d = it.next().getKey();
            if (d.stored()) {
                it.remove();
                inWindow--;
                lowestDropped = d;
            }
        }
        if (lowestDropped != null) {
            // Just before the earliest one dropped: ids are unique, so nothing stored lies in between.
            horizonAt = lowestDropped.at();
            horizonId = lowestDropped.storeId() - 1;
        }
    }

    /** Reads the next entries from the index when few are left on the heap. */
    void refill() {
        if (inWindow >= LOW || (horizonAt == Long.MAX_VALUE && horizonId == Long.MAX_VALUE)) {
            return;
        }
        int wanted = SIZE - inWindow;
        long[] next = store.index().next(horizonAt, horizonId, wanted);
        for (int i = 0; i < next.length; i += 2) {
            if (pending.putIfAbsent(new Due(next[i], next[i + 1], next[i + 1]), marker) == null) {
                inWindow++;
            }
        }
        if (next.length / 2 < wanted) {
            horizonAt = Long.MAX_VALUE; // the index holds nothing further
            horizonId = Long.MAX_VALUE;
        } else {
            horizonAt = next[next.length - 2];
            horizonId = next[next.length - 1];
        }
    }

    /** A stored entry left the heap to be released. */
    void released(Due due) {
        inWindow--;
        releasedAt = Math.max(releasedAt, due.at());
    }

    /** Ends a batch of releases: the index forgets the time buckets wholly released. */
    void releasedBatch() {
        if (releasedAt != Long.MIN_VALUE) {
            store.index().releasedBefore(releasedAt);
        }
    }

    /** Forgets the heap part (the exchange is stopping). */
    void clear() {
        inWindow = 0;
    }
}
