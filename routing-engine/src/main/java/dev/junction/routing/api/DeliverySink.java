package dev.junction.routing.api;



/**
 * Where a consumer's deliveries go; the protocol adapter implements it. Called on the queue's thread: an
 * implementation hands the delivery to its connection (e.g. a Netty write, which is thread-safe) and returns at
 * once, never blocking.
 */
public interface DeliverySink {

    void deliver(Delivery delivery);

    /**
     * False while the consumer cannot take more (its socket is not writable). The queue then skips it until
     * {@link Consumer#resume()} is called.
     */
    default boolean ready() {
        return true;
    }

    /**
     * True when the sink will never settle {@code m} (an MQTT QoS 0 delivery): the queue then hands it over as
     * auto-acknowledged, forgetting it at once and taking no prefetch credit, instead of waiting for a settle.
     */
    default boolean settlesOnSend(Message m) {
        return false;
    }

    /**
     * The queue cancelled this consumer ({@code why}: it was deleted, or is in exclusive use): AMQP 0-9-1 sends
     * basic.cancel to the client, AMQP 1.0 detaches the link with a condition that says why.
     */
    default void cancelled(CancelReason why) {
    }
}
