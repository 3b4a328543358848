package dev.junction.mqtt;

import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;

/**
 * An unacknowledged outbound PUBLISH of one connection ({@link Outbound}), by packet id; {@code queue} is null for
 * retained messages sent at SUBSCRIBE and for PUBRELs resent for a resumed session. Owned by the event loop.
 */
final class InFlight {
    final DeliverySource queue;
    final long deliveryId;
    final int qos;
    /** PUBREC seen: waiting for PUBCOMP. */
    boolean received;
    /** Settled in the engine before its PUBCOMP: counted in {@code Outbound.held}. */
    boolean held;

    InFlight(DeliverySource queue, long deliveryId, int qos) {
        this.queue = queue;
        this.deliveryId = deliveryId;
        this.qos = qos;
    }

    /** The client acknowledged it (or refused it, which ends it too): its queue's delivery is settled. */
    void acknowledged() {
        if (queue != null) {
            queue.settle(deliveryId, Settlement.ACK);
        }
    }
}
