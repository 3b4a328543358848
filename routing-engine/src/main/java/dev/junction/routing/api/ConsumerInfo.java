package dev.junction.routing.api;

import java.util.Map;

/**
 * One consumer of a connection's channel as the management API lists it: its queue, tag, whether deliveries
 * must be acknowledged ({@code no-ack} false), the prefetch it was given, and its consume arguments.
 */
public record ConsumerInfo(String queue, String consumerTag, boolean ackRequired, int prefetchCount,
                           boolean exclusive, Map<String, Object> arguments) {

    public ConsumerInfo {
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(arguments));
    }
}
