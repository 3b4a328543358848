package dev.junction.routing.api;

import dev.junction.routing.queue.Queue;

/**
 * One message handed to a consumer or to a get. Settle it through {@link #source()} using {@code deliveryId}
 * (unless it was delivered without acknowledgement). {@code remaining} is the queue's ready count after this
 * delivery, which basic.get-ok reports.
 *
 * <p>The {@code queue} component is the engine's own and is not for adapters; they use {@link #source()}.
 */
public record Delivery(Queue queue, long deliveryId, Message message, boolean redelivered, int deliveryCount,
                       boolean autoAck, int remaining) {

    /** Where this delivery came from: settle it there. Equal for every delivery of one queue. */
    public DeliverySource source() {
        return queue;
    }

    /** Settles this one delivery ({@code basic.ack}, {@code basic.reject}, PUBACK ...). */
    public void settle(Settlement how) {
        queue.settle(deliveryId, how);
    }
}
