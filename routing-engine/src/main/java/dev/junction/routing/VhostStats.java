package dev.junction.routing;

import dev.junction.routing.exchange.ExchangeStats;

/**
 * A vhost's own message counts since start, for the management API's {@code message_stats}: what its publishers
 * sent, whatever queue it reached. Delivery-side counts (deliveries, gets, acknowledgements) are the queues' own
 * ({@link dev.junction.routing.queue.QueueStats}). Any thread.
 */
public interface VhostStats {
    /** Messages published into the vhost (RabbitMQ: {@code publish}). */
    long published();

    /** Published messages that reached no queue (RabbitMQ: {@code drop_unroutable} plus {@code return_unroutable}). */
    long unroutable();

    /** Publisher confirms sent as acks (RabbitMQ: {@code confirm}). */
    long confirmed();

    /** The default exchange's counts, since it has no {@link dev.junction.routing.exchange.Exchange} object. */
    ExchangeStats defaultExchange();

    /**
     * Messages its queues handed to their dead-letter exchange, by RabbitMQ's reason ({@code rejected},
     * {@code expired}, {@code maxlen}); a reason that never happened is absent.
     */
    java.util.Map<String, Long> deadLettered();
}
