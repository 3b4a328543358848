package dev.junction.routing.api;

import java.util.concurrent.CompletableFuture;

/**
 * One registered consumer, as its adapter holds it: deliveries arrive on the {@link DeliverySink} given to
 * {@link Vhost#consume}; the adapter resumes it when it can take deliveries again (its socket became writable,
 * its handoff made room) and cancels it ({@code basic.cancel}, UNSUBSCRIBE, disconnect). Callable from any thread.
 */
public interface Consumption {

    String tag();

    /** The queue it consumes from; settle its deliveries there or through {@link Delivery#settle}. */
    DeliverySource source();

    boolean autoAck();

    /** Asks the queue to offer deliveries again after the sink reported not ready. */
    void resume();

    /** Removes the consumer; its unsettled deliveries stay unsettled until settled or the owner goes away. */
    CompletableFuture<Void> cancel();
}
