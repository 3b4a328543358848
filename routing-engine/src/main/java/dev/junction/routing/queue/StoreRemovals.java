package dev.junction.routing.queue;

import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Collects the store ids a purge drops and hands them to the store in batches, so that purging millions of
 * messages costs a few commands rather than one per message.
 */
final class StoreRemovals implements LongConsumer {
    private static final int BATCH = 65_536;

    private final MessageStore store;
    private final QueueKey queue;
    private long[] ids = new long[64];
    private int n;

    StoreRemovals(MessageStore store, QueueKey queue) {
        this.store = store;
        this.queue = queue;
    }

    /** Adds a store id; 0 (a message the store does not hold) is ignored. */
    @Override
    public void accept(long storeId) {
        if (storeId == 0) {
            return;
        }
        if (n == ids.length) {
            ids = Arrays.copyOf(ids, Math.min(BATCH, ids.length * 2));
        }
        ids[n++] = storeId;
        if (n == BATCH) {
            flush();
        }
    }

    void flush() {
        if (n > 0) {
            store.remove(queue, Arrays.copyOf(ids, n));
            n = 0;
        }
    }
}
