package dev.junction.routing.queue;

/**
 * A queue's delivered, unsettled messages by delivery id, with the consumer whose credit each holds.
 *
 * <p>An open-addressing table of primitive ids (linear probing, deletion by shifting back), not a map of boxed ids:
 * every delivery that waits for an acknowledgement passes through here once in and once out, and a
 * {@code HashMap<Long, ...>} made a boxed id, a node and a value object per delivery and a boxed id per settlement.
 * Queue thread only.
 */
final class Unacked {
    private static final int FIRST_CAPACITY = 16;
    /**
     * An emptied table up to this size is kept (at most 16 KiB): a consumer whose acknowledgements keep up empties it
     * between bursts again and again, and would otherwise grow a new one each time.
     */
    private static final int KEPT_CAPACITY = 1024;

    /** Made with the first delivery that waits for settlement: an idle queue (an MQTT session's) holds no table. */
    private long[] ids;
    /** Null marks a free slot. */
    private QueueEntry[] entries;
    /** Null for a get. */
    private Consumer[] consumers;
    private int size;
    /** 64 - log2(capacity): the hash's top bits pick the slot. */
    private int shift;

    /** Remembers a delivery; {@code consumer} is null for a get. */
    void add(long deliveryId, QueueEntry entry, Consumer consumer) {
        if (ids == null) {
            allocate(FIRST_CAPACITY);
        } else if ((size + 1) * 4L > ids.length * 3L) { // at most three quarters full
            grow();
        }
        int mask = ids.length - 1;
        int i = slot(deliveryId);
        while (entries[i] != null && ids[i] != deliveryId) {
            i = (i + 1) & mask;
        }
        if (entries[i] == null) {
            size++;
        }
        ids[i] = deliveryId;
        entries[i] = entry;
        consumers[i] = consumer;
    }

    /**
     * Takes a delivery out for settlement and gives its consumer's credit back; null for an unknown id (already
     * settled, or from before a purge).
     */
    QueueEntry settle(long deliveryId) {
        if (size == 0) {
            return null;
        }
        int mask = ids.length - 1;
        int i = slot(deliveryId);
        while (entries[i] != null) {
            if (ids[i] == deliveryId) {
                QueueEntry e = entries[i];
                Consumer c = consumers[i];
                removeAt(i);
                if (c != null) {
                    c.release(e.size());
                }
                return e;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /**
     * Forgets every delivery (the queue is deleted), giving back their credit (a channel-wide prefetch is shared
     * with consumers of other queues, which would starve otherwise) and handing their store ids to {@code storeIds}.
     */
    void releaseAll(java.util.function.LongConsumer storeIds) {
        if (ids == null) {
            return;
        }
        for (int i = 0; i < entries.length; i++) {
            QueueEntry e = entries[i];
            if (e != null) {
                if (consumers[i] != null) {
                    consumers[i].release(e.size());
                }
                storeIds.accept(e.storeId);
                entries[i] = null;
                consumers[i] = null;
            }
        }
        size = 0;
        ids = null;
        entries = null;
        consumers = null;
    }

    int size() {
        return size;
    }

    /** Fibonacci hashing: consecutive ids (the usual case) land far apart. */
    private int slot(long id) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** Empties slot {@code i}, moving later entries of its probe run back so that every lookup still finds them. */
    private void removeAt(int i) {
        int mask = ids.length - 1;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (entries[j] == null) {
                break;
            }
            int home = slot(ids[j]);
            // The entry at j may move to i unless its home slot lies cyclically in (i, j].
            boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays) {
                ids[i] = ids[j];
                entries[i] = entries[j];
                consumers[i] = consumers[j];
                i = j;
            }
        }
        entries[i] = null;
        consumers[i] = null;
        if (--size == 0 && ids.length > KEPT_CAPACITY) {
            ids = null; // a large burst's table is not kept past it: the next delivery starts small again
            entries = null;
            consumers = null;
        }
    }

    private void allocate(int capacity) {
        ids = new long[capacity];
        entries = new QueueEntry[capacity];
        consumers = new Consumer[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private void grow() {
        long[] oldIds = ids;
        QueueEntry[] oldEntries = entries;
        Consumer[] oldConsumers = consumers;
        allocate(oldIds.length * 2);
        int mask = ids.length - 1;
        for (int k = 0; k < oldIds.length; k++) {
            if (oldEntries[k] != null) {
                int i = slot(oldIds[k]);
                while (entries[i] != null) {
                    i = (i + 1) & mask;
                }
                ids[i] = oldIds[k];
                entries[i] = oldEntries[k];
                consumers[i] = oldConsumers[k];
            }
        }
    }
}
