package dev.junction.cluster;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The bound on the client-id registry's tombstones ({@link ClientIdOwners}): the ids of sessions that ended after
 * they had moved between nodes, which the registry keeps, without a user, so that a node that was down meanwhile
 * still learns that a later connection elsewhere superseded its own record of the session, and neither sends that
 * record's will nor runs its expiry [MQTT-3.1.3-9]. Tombstones are dropped oldest first, from the registry too when
 * no later claim of the id replaced them, once either bound is passed:
 *
 * <ul>
 * <li><b>Time</b>, {@code keptMillis}: the broker's {@code mqtt.max_session_expiry_seconds}. A node's stale record
 *     was written when its last connection of the session closed, before the later claim elsewhere and so before
 *     the end; its expiry interval is capped by that setting (at CONNECT and again at restore), and its will is due
 *     no later than its session's expiry. Everything such a record still holds is therefore due within that time
 *     of the end: a node back by then finds the tombstone when it acts. A node down for longer sends the stale will
 *     as before.</li>
 * <li><b>Count</b>, {@code max}: however many moved sessions end per second, the registry keeps at most this many
 *     tombstones (each a map entry, a small record and a queue slot: about 200 bytes with a short client id).</li>
 * </ul>
 *
 * <p>Only a session that moved leaves a tombstone: an id whose every claim came from one node (a clean session's
 * client with a fresh id per connection, the churning case) has no other node to hold a stale record, and its end
 * removes it as before. The time is this node's clock when it applied the end, so each node drops its own
 * tombstones a little apart from the others, and may then disagree with them on whether the id's next session
 * moved; nothing in the log's outcome depends on either (a tombstone names no user, so it refuses no claim, and a
 * claim is the same claim whatever its node thinks of the id's past). Used on the apply thread only, as the
 * registry's writes are.
 */
final class EndedSessions {

    /** The tombstones a registry keeps at most, whatever its time bound: a few dozen MB at worst. */
    static final int MAX_TOMBSTONES = 100_000;

    private record Ended(String key, ClientIdOwners.Owner tombstone) {
    }

    private final long keptMillis;
    private final int max;
    private final LongSupplier clock;
    /** Oldest first: the order the ends were applied in (or their times, from a snapshot). */
    private final ArrayDeque<Ended> ends = new ArrayDeque<>();

    EndedSessions(long keptMillis, int max, LongSupplier clock) {
        this.keptMillis = keptMillis;
        this.max = max;
        this.clock = clock;
    }

    /** Now, as a tombstone's time. */
    long now() {
        return clock.getAsLong();
    }

    /** Records {@code tombstone}, just put in {@code owners} under {@code key}, and applies the bounds. */
    void add(String key, ClientIdOwners.Owner tombstone, Map<String, ClientIdOwners.Owner> owners) {
        ends.addLast(new Ended(key, tombstone));
        purge(owners);
    }

    /** Starts again from the tombstones of a restored registry. */
    void restored(Map<String, ClientIdOwners.Owner> owners) {
        ends.clear();
        List<Ended> all = new java.util.ArrayList<>();
        owners.forEach((key, o) -> {
            if (o.ended()) {
                all.add(new Ended(key, o));
            }
        });
        all.sort(Comparator.comparingLong(e -> e.tombstone().claim()));
        ends.addAll(all);
        purge(owners);
    }

    /** Drops the tombstones past either bound; one a later claim or end replaced is no longer in the registry. */
    void purge(Map<String, ClientIdOwners.Owner> owners) {
        long oldest = now() - keptMillis;
        while (!ends.isEmpty() && (ends.size() > max || ends.peekFirst().tombstone().claim() <= oldest)) {
            Ended e = ends.pollFirst();
            owners.remove(e.key(), e.tombstone());
        }
    }

    /** How many tombstones are tracked (some may have been replaced in the registry since). */
    int size() {
        return ends.size();
    }
}
