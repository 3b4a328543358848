package dev.junction.config;

/**
 * RabbitMQ-style limits of one virtual host ("vhost limits": {@code max-connections}, {@code max-queues}), plus
 * exchanges and bindings, which a client can otherwise declare without bound. 0 means unlimited, as
 * {@code limits.max_connections} does. Exchanges count only those clients declared (not the built-in {@code amq.*}
 * ones); bindings count exchange-to-queue and exchange-to-exchange bindings alike, MQTT subscriptions included.
 */
public record VhostLimits(int maxConnections, int maxQueues, int maxExchanges, int maxBindings) {
    public static final VhostLimits DEFAULTS = new VhostLimits(10_000, 10_000, 1_000, 100_000);
}
