package dev.junction.amqp10;

import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.Arrays;

/**
 * The {@code accepted} outcomes a consumer's link received in one read, passed to its queue as one settlement when
 * the read's frames are handled, instead of one queue task per message: Qpid JMS acknowledges each message of an
 * auto-acknowledge session with a disposition of its own, and a read holds many. Another outcome (a requeue, a
 * dead-letter) first passes the acknowledgements gathered before it, so the queue sees them in the client's order.
 * Event-loop only.
 */
final class AckBatch {
    private long[] ids = new long[32];
    private int size;
    private DeliverySource source;

    /** Adds the acknowledgement of delivery {@code id} of {@code from}; true when it is the first since a flush. */
    boolean add(DeliverySource from, long id) {
        if (source != null && !source.equals(from)) {
            flush();
        }
        source = from;
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        return size == 1;
    }

    /** Passes what was gathered to the queue, which settles asynchronously: it gets an array of its own. */
    void flush() {
        if (size == 0) {
            return;
        }
        if (size == 1) {
            source.settle(ids[0], Settlement.ACK);
        } else {
            source.settle(Arrays.copyOf(ids, size), Settlement.ACK);
        }
        size = 0;
    }
}
