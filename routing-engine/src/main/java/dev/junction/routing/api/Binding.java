package dev.junction.routing.api;

import java.util.Map;
import java.util.Objects;

/**
 * A binding from a source exchange to a queue or another exchange. Two bindings are the same binding when
 * source, destination, key and arguments are equal, as in AMQP 0-9-1 (a repeated bind is a no-op).
 */
public record Binding(String source, DestinationKind destinationKind, String destination, String routingKey,
                      Map<String, Object> arguments) {

    /**
     * A binding argument set by the MQTT adapter: the binding key is an MQTT filter already translated to
     * AMQP words, and MQTT's rule that a leading wildcard does not match '$' topics applies [MQTT-4.7.2-1].
     */
    public static final String MQTT_FILTER_ARGUMENT = "x-mqtt-filter";

    public enum DestinationKind { QUEUE, EXCHANGE }

    public Binding {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destinationKind, "destinationKind");
        Objects.requireNonNull(destination, "destination");
        routingKey = routingKey == null ? "" : routingKey;
        // Kept compactly (ArgumentTable): an MQTT subscription is a binding with five arguments, held per device.
        arguments = arguments == null || arguments.isEmpty() ? Map.of() : ArgumentTable.copyOf(arguments);
    }

    public static Binding toQueue(String exchange, String queue, String routingKey, Map<String, Object> args) {
        return new Binding(exchange, DestinationKind.QUEUE, queue, routingKey, args);
    }

    public static Binding toExchange(String source, String destination, String routingKey,
                                     Map<String, Object> args) {
        return new Binding(source, DestinationKind.EXCHANGE, destination, routingKey, args);
    }

    public boolean toQueue() {
        return destinationKind == DestinationKind.QUEUE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Binding b && source.equals(b.source) && destinationKind == b.destinationKind
                && destination.equals(b.destination) && routingKey.equals(b.routingKey)
                && HeaderValues.tablesEqual(arguments, b.arguments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, destinationKind, destination, routingKey, arguments.size());
    }
}
