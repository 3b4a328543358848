package dev.junction.routing.api;

import dev.junction.routing.queue.QueueTarget;
import java.util.List;

/**
 * One message handed to a consumer or to a get. Settle it through {@link #source()} using {@code deliveryId}
 * (unless it was delivered without acknowledgement). {@code remaining} is the queue's ready count after this
 * delivery, which basic.get-ok reports. {@code deliveryCount} counts the deliveries of the message that counted,
 * this one included (so at least 1 from a queue; 0 from a stream, which counts none): a released one does not
 * count, a failed or returned one does. Every queue type fills it the same way, since AMQP 1.0's header
 * {@code delivery-count} (the earlier ones) is derived from it.
 *
 * <p>The {@code queue} and {@code routedBy} components are the engine's own and are not for adapters; they use
 * {@link #source()} and {@link #matched()}.
 */
public record Delivery(QueueTarget queue, long deliveryId, Message message, boolean redelivered, int deliveryCount,
                       boolean autoAck, int remaining, List<Binding> routedBy) {

    /** A delivery whose matched bindings are not known: {@link #matched()} works them out when asked. */
    public Delivery(QueueTarget queue, long deliveryId, Message message, boolean redelivered, int deliveryCount,
                    boolean autoAck, int remaining) {
        this(queue, deliveryId, message, redelivered, deliveryCount, autoAck, remaining, null);
    }

    /** Where this delivery came from: settle it there. Equal for every delivery of one queue. */
    public DeliverySource source() {
        return queue;
    }

    /**
     * The acknowledgement timeout of the delivering queue in milliseconds ({@code x-consumer-timeout}, or the
     * policy's {@code consumer-timeout}, the lower of both), or 0 when it sets none and the broker-wide
     * {@code consumer_timeout} applies.
     */
    public long consumerTimeoutMillis() {
        Long t = queue == null ? null : queue.arguments().now().consumerTimeout();
        return t == null ? 0 : t;
    }

    /** Settles this one delivery ({@code basic.ack}, {@code basic.reject}, PUBACK ...). */
    public void settle(Settlement how) {
        queue.settle(deliveryId, how);
    }

    /**
     * The bindings into the delivering queue that the message matched: what an adapter needs to know of the
     * subscription it is delivered for (MQTT keeps a subscription's options in its binding's arguments), without
     * matching the message again itself. Never null; unmodifiable; in no particular order; each binding once.
     *
     * <ul>
     *   <li>A queue that several of its bindings reach gets the message once, and lists every binding that matched
     *       it (overlapping MQTT subscriptions [MQTT-3.3.5-1]).</li>
     *   <li>A binding is listed when it matched the message's own routing key (or its headers, for a headers
     *       exchange). One that matched only a CC or BCC key took the message there but is not listed, since the
     *       consumer sees the message under its own key. Through exchange-to-exchange bindings, the bindings listed
     *       are the last hop's, the ones whose destination is the queue.</li>
     *   <li>The list routing made is kept with the message while it is in the queue's memory, requeues included.
     *       Where it was not kept (restored after a restart, read back from the store past the queue's in-memory
     *       window, or reached by name through the default exchange) this method works it out: the queue's current
     *       bindings whose exchanges say they match the message. That costs a copy of the queue's own bindings (under
     *       the vhost's lock, held only by declarations) and one match per binding, each time it is called.</li>
     *   <li>Empty when no binding matched (the default exchange to an unbound queue; only CC keys matched).</li>
     * </ul>
     *
     * <h2>Cost</h2>
     * A queue entry holds one reference to the list, which fits in the entry's padding. The list is shared: a
     * binding that is alone in matching a message (the common case) is passed as a one-element list made when it
     * was bound, the same for every message it routes, so routing allocates nothing for it. Only a message that two
     * or more bindings of one queue match gets a list of its own, one per such queue.
     */
    public List<Binding> matched() {
        if (routedBy != null) {
            return routedBy;
        }
        return queue == null ? List.of() : queue.bindingsMatching(message);
    }
}
