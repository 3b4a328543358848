package dev.junction.routing.api;

import dev.junction.routing.queue.Queue;


/**
 * One message handed to a consumer or to a get. Settle it with {@link Queue#settle} using {@code deliveryId}
 * (unless it was delivered without acknowledgement). {@code remaining} is the queue's ready count after this
 * delivery, which basic.get-ok reports.
 */
public record Delivery(Queue queue, long deliveryId, Message message, boolean redelivered, int deliveryCount,
                       boolean autoAck, int remaining) {
}
