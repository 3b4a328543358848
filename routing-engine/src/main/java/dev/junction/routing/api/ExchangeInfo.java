package dev.junction.routing.api;

/**
 * An exchange as a protocol sees it: its declaration and its type ({@code exchange.declare} equivalence,
 * RabbitMQ's topic permissions, which apply to topic exchanges only, and {@code internal}, which refuses
 * client publishes).
 */
public record ExchangeInfo(ExchangeSpec spec, ExchangeType type) {

    public String name() {
        return spec.name();
    }

    public boolean internal() {
        return spec.internal();
    }
}
