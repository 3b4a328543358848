package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.Arrays;

/**
 * The acknowledgements (basic.ack, nack, reject) a connection's channels took while one read batch was handled,
 * passed on to their queues together: one request per run of settlements of one queue and kind, not one per
 * acknowledgement (a consumer acknowledging each message sends dozens in one read). A different queue or kind
 * passes on what is held first, so each queue sees settlements in the order the client made them; and everything
 * held is passed on before any other frame is handled (a queue.declare after a nack with requeue counts the
 * requeued message, as it did when each acknowledgement went on at once), at the end of the read batch and before
 * the connection releases its channels. Event-loop only.
 */
final class Settlements {
    private DeliverySource source;
    private Settlement how;
    private long[] ids = new long[64];
    private int count;

    /** Whether {@code frame} is one whose settlements may wait with the ones held. */
    static boolean isSettlement(AmqpFrame frame) {
        if (frame instanceof MethodFrame mf) {
            MethodType t = mf.method().type();
            return t == MethodType.BASIC_ACK || t == MethodType.BASIC_NACK || t == MethodType.BASIC_REJECT;
        }
        return false;
    }

    void add(DeliverySource from, long deliveryId, Settlement kind) {
        if (count > 0 && (from != source || kind != how)) {
            flush();
        }
        source = from;
        how = kind;
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = deliveryId;
    }

    /** Passes on what is held. */
    void flush() {
        if (count == 0) {
            return;
        }
        long[] batch = Arrays.copyOf(ids, count); // the queue's from here on
        DeliverySource to = source;
        count = 0;
        source = null;
        to.settle(batch, how);
    }
}
