package dev.junction.routing.exchange;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recent deduplication keys of one {@code x-message-deduplication} exchange, each with the time it stops
 * counting as seen ({@link Long#MAX_VALUE}: never, until evicted). At most {@code capacity} keys: when full, the
 * expired keys go, else the oldest key gives way, as the plugin's "unspecified existing entries will be removed".
 * Memory is bounded by the capacity, which the plugin makes a required argument.
 *
 * <p>A durable exchange's keys are also written to its {@link ExchangeState} (each key's expiry, 8 bytes), every
 * change in the order it was made here, and read back at start in the order they were first written.
 *
 * <p>Publishers of many threads route through one exchange and the check-and-record must be one step (two
 * publishers of the same key must not both pass), so the map is guarded by this object's monitor; the critical
 * section is a hash lookup, an insert and, for a durable exchange, queuing a store write, which does not wait.
 */
final class DeduplicationCache {
    /** The argument's, or a policy's ({@link #resize}). */
    private int capacity;
    private final LinkedHashMap<String, Long> expiries;
    private ExchangeState state = ExchangeState.NONE;

    DeduplicationCache(int capacity) {
        this.capacity = capacity;
        this.expiries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2);
    }

    synchronized void keepIn(ExchangeState state) {
        this.state = state;
    }

    /**
     * Whether {@code key} is new at {@code now} (milliseconds): if so it is recorded until {@code now + ttlMillis}
     * ({@code ttlMillis <= 0}: no expiry) and the message may pass; if it is still remembered, false.
     */
    synchronized boolean firstSeen(String key, long ttlMillis, long now) {
        Long until = expiries.get(key);
        if (until != null && until > now) {
            return false;
        }
        if (until != null) {
            forget(key); // expired: recorded again at the end, as a new key
        }
        record(key, ttlMillis > 0 ? saturatedAdd(now, ttlMillis) : Long.MAX_VALUE, now);
        return true;
    }

    /** A key stored before a restart; one already expired is deleted. */
    synchronized void restore(String key, byte[] data, long now) {
        long until = data.length == Long.BYTES ? ByteBuffer.wrap(data).getLong() : 0;
        if (until <= now) {
            state.delete(key);
            return;
        }
        expiries.remove(key);
        makeRoom(now);
        expiries.put(key, until); // already stored as it is
    }

    private void record(String key, long until, long now) {
        makeRoom(now);
        expiries.put(key, until);
        state.put(key, ByteBuffer.allocate(Long.BYTES).putLong(until).array());
    }

    private void makeRoom(long now) {
        if (expiries.size() >= capacity) {
            dropExpiredOrOldest(now);
        }
    }

    private void forget(String key) {
        expiries.remove(key);
        state.delete(key);
    }

    /** Makes room for one key: every expired key if there are any, else the oldest. */
    private void dropExpiredOrOldest(long now) {
        boolean dropped = false;
        for (Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() <= now) {
                it.remove();
                state.delete(e.getKey());
                dropped = true;
            }
        }
        if (!dropped) {
            Iterator<String> oldest = expiries.keySet().iterator();
            String key = oldest.next();
            oldest.remove();
            state.delete(key);
        }
    }

    /** A policy set or cleared {@code x-cache-size}: the keys beyond the new capacity go as they would for room. */
    synchronized void resize(int capacity, long now) {
        this.capacity = capacity;
        while (expiries.size() > capacity) {
            dropExpiredOrOldest(now);
        }
    }

    synchronized int size() {
        return expiries.size();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }
}
