package dev.junction.amqp;

import dev.junction.routing.api.DeliverySource;
import java.util.Arrays;

/**
 * A channel's unacknowledged deliveries by delivery tag, in tag order, without an object per delivery: parallel
 * arrays appended at the tail (a channel's tags only grow [AMQP 0-9-1 delivery-tag]) and searched by bisection. A
 * settled delivery's slot is cleared and stays until the head passes it (the oldest deliveries are usually settled
 * first) or the arrays are full and get compacted. Tags put back out of order (tx.rollback) are inserted in
 * place. Slots are addressed by index between {@link #head()} and {@link #tail()}; {@link #live} says whether one
 * still holds a delivery. Event-loop only.
 */
final class UnackedTags {
    private static final int INITIAL = 16;
    /** Arrays this large are let go once empty, so a burst of unacknowledged deliveries does not pin them. */
    private static final int KEEP_AT_MOST = 4096;

    private long[] tags = new long[INITIAL];
    private long[] ids = new long[INITIAL];
    private long[] deadlines = new long[INITIAL];
    private long[] timeouts = new long[INITIAL];
    /** Null in a settled slot. */
    private DeliverySource[] sources = new DeliverySource[INITIAL];
    private int head;
    private int tail;
    private int live;

    int size() {
        return live;
    }

    int head() {
        return head;
    }

    int tail() {
        return tail;
    }

    boolean live(int i) {
        return sources[i] != null;
    }

    long tag(int i) {
        return tags[i];
    }

    DeliverySource source(int i) {
        return sources[i];
    }

    long deliveryId(int i) {
        return ids[i];
    }

    long deadline(int i) {
        return deadlines[i];
    }

    long timeoutMs(int i) {
        return timeouts[i];
    }

    /** Adds a delivery; {@code tag} is not outstanding already. */
    void add(long tag, DeliverySource source, long deliveryId, long deadline, long timeoutMs) {
        if (tail > head && tag <= tags[tail - 1]) {
            insert(tag, source, deliveryId, deadline, timeoutMs);
            return;
        }
        if (tail == 0 && tags.length > KEEP_AT_MOST) {
            allocate(INITIAL); // empty again after a burst
        } else if (tail == tags.length) {
            makeRoom();
        }
        set(tail++, tag, source, deliveryId, deadline, timeoutMs);
        live++;
    }

    /** The slot of outstanding {@code tag}, or -1. */
    int indexOf(long tag) {
        int i = upTo(tag) - 1;
        return i >= head && tags[i] == tag && sources[i] != null ? i : -1;
    }

    /** The first slot past every tag up to and including {@code tag}. */
    int upTo(long tag) {
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tags[mid] <= tag) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Settles slot {@code i}. Indexes stay valid until the next {@link #add}. */
    void remove(int i) {
        sources[i] = null;
        live--;
        if (live == 0) {
            head = 0;
            tail = 0;
            return;
        }
        while (sources[head] == null) {
            head++;
        }
    }

    void clear() {
        Arrays.fill(sources, head, tail, null);
        live = 0;
        head = 0;
        tail = 0;
    }

    /** A tag at or below the newest one (tx.rollback): put back in tag order. */
    private void insert(long tag, DeliverySource source, long deliveryId, long deadline, long timeoutMs) {
        if (tail == tags.length) {
            makeRoom();
        }
        int at = upTo(tag);
        if (at > head && tags[at - 1] == tag) {
            set(at - 1, tag, source, deliveryId, deadline, timeoutMs); // its own cleared slot
        } else if (at == head && head > 0) {
            set(--head, tag, source, deliveryId, deadline, timeoutMs);
        } else {
            int n = tail - at;
            System.arraycopy(tags, at, tags, at + 1, n);
            System.arraycopy(ids, at, ids, at + 1, n);
            System.arraycopy(deadlines, at, deadlines, at + 1, n);
            System.arraycopy(timeouts, at, timeouts, at + 1, n);
            System.arraycopy(sources, at, sources, at + 1, n);
            set(at, tag, source, deliveryId, deadline, timeoutMs);
            tail++;
        }
        live++;
    }

    private void set(int i, long tag, DeliverySource source, long deliveryId, long deadline, long timeoutMs) {
        tags[i] = tag;
        sources[i] = source;
        ids[i] = deliveryId;
        deadlines[i] = deadline;
        timeouts[i] = timeoutMs;
    }

    /** Full at the tail: compacts the live slots to the front when at most half are live, else doubles. */
    private void makeRoom() {
        int capacity = live <= tags.length / 2 ? tags.length : tags.length * 2;
        long[] t = tags;
        long[] d = ids;
        long[] dl = deadlines;
        long[] to = timeouts;
        DeliverySource[] s = sources;
        if (capacity != tags.length) {
            allocate(capacity);
        }
        int n = 0;
        for (int i = head; i < tail; i++) {
            if (s[i] != null) {
                tags[n] = t[i];
                ids[n] = d[i];
                deadlines[n] = dl[i];
                timeouts[n] = to[i];
                sources[n] = s[i];
                n++;
            }
        }
        Arrays.fill(sources, n, sources.length, null);
        head = 0;
        tail = n;
    }

    private void allocate(int capacity) {
        tags = new long[capacity];
        ids = new long[capacity];
        deadlines = new long[capacity];
        timeouts = new long[capacity];
        sources = new DeliverySource[capacity];
    }
}
