package dev.junction.routing.exchange;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recent deduplication keys of one {@code x-message-deduplication} exchange, each with the time it stops
 * counting as seen ({@link Long#MAX_VALUE}: never, until evicted). At most {@code capacity} keys: when full, the
 * oldest key gives way, as the plugin's "unspecified existing entries will be removed". Memory is bounded by the
 * capacity, which the plugin makes a required argument.
 *
 * <p>Publishers of many threads route through one exchange and the check-and-record must be one step (two
 * publishers of the same key must not both pass), so the map is guarded by this object's monitor; the critical
 * section is a hash lookup and an insert and never calls out.
 */
final class DeduplicationCache {
    private final int capacity;
    private final LinkedHashMap<String, Long> expiries;

    DeduplicationCache(int capacity) {
        this.capacity = capacity;
        this.expiries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2);
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
            expiries.remove(key); // expired: recorded again at the end, as a new key
        }
        if (expiries.size() >= capacity) {
            dropExpiredOrOldest(now);
        }
        expiries.put(key, ttlMillis > 0 ? saturatedAdd(now, ttlMillis) : Long.MAX_VALUE);
        return true;
    }

    /** Makes room for one key: every expired key if there are any, else the oldest. */
    private void dropExpiredOrOldest(long now) {
        boolean dropped = false;
        for (Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() <= now) {
                it.remove();
                dropped = true;
            }
        }
        if (!dropped) {
            Iterator<String> oldest = expiries.keySet().iterator();
            oldest.next();
            oldest.remove();
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
