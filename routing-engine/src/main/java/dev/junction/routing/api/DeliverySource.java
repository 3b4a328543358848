package dev.junction.routing.api;

/**
 * The queue a {@link Delivery} came from, as an adapter sees it: a name and a place to settle delivery ids. An
 * adapter that settles many deliveries at once (AMQP {@code basic.ack} with {@code multiple}) groups them by
 * source; sources are equal exactly when they are the same queue. Callable from any thread.
 */
public interface DeliverySource {

    String name();

    /** Settles every id in {@code deliveryIds}; ids this source does not hold (settled already) are ignored. */
    void settle(long[] deliveryIds, Settlement how);

    void settle(long deliveryId, Settlement how);

    /**
     * Refuses a settlement this source cannot take, before the adapter passes any on; the default takes every kind.
     * A stream takes only {@link Settlement#ACK}: RabbitMQ 3.10 answers basic.nack and basic.reject on a stream
     * delivery with 540 NOT_IMPLEMENTED.
     *
     * @throws BrokerException when {@code how} is refused
     */
    default void checkSettlement(Settlement how) {
    }
}
