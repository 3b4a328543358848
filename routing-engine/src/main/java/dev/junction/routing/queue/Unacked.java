package dev.junction.routing.queue;

import java.util.HashMap;
import java.util.Map;

/** A queue's delivered, unsettled messages by delivery id, with the consumer whose credit each holds. */
final class Unacked {
    private record Outstanding(QueueEntry entry, Consumer consumer) {
    }

    /** Made with the first delivery that waits for settlement: an idle queue (an MQTT session's) holds no table. */
    private Map<Long, Outstanding> byId;

    /** Remembers a delivery; {@code consumer} is null for a get. */
    void add(long deliveryId, QueueEntry entry, Consumer consumer) {
        if (byId == null) {
            byId = new HashMap<>();
        }
        byId.put(deliveryId, new Outstanding(entry, consumer));
    }

    /**
     * Takes a delivery out for settlement and gives its consumer's credit back; null for an unknown id (already
     * settled, or from before a purge).
     */
    QueueEntry settle(long deliveryId) {
        Outstanding o = byId == null ? null : byId.remove(deliveryId);
        if (o == null) {
            return null;
        }
        if (o.consumer != null) {
            o.consumer.release(o.entry.size());
        }
        return o.entry;
    }

    /**
     * Forgets every delivery (the queue is deleted), giving back their credit (a channel-wide prefetch is shared
     * with consumers of other queues, which would starve otherwise) and handing their store ids to {@code storeIds}.
     */
    void releaseAll(java.util.function.LongConsumer storeIds) {
        if (byId == null) {
            return;
        }
        for (Outstanding o : byId.values()) {
            if (o.consumer != null) {
                o.consumer.release(o.entry.size());
            }
            storeIds.accept(o.entry.storeId);
        }
        byId.clear();
    }

    int size() {
        return byId == null ? 0 : byId.size();
    }
}
