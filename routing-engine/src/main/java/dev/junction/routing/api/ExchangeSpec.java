package dev.junction.routing.api;

import java.util.Map;

/** What an exchange declaration asks for. {@code type} is the wire name ("direct", "topic", ...). */
public record ExchangeSpec(String name, String type, boolean durable, boolean autoDelete, boolean internal,
                           Map<String, Object> arguments) {
    public ExchangeSpec {
        arguments = arguments == null ? Map.of() : Map.copyOf(withoutNullValues(arguments));
    }

    public static ExchangeSpec of(String name, ExchangeType type) {
        return new ExchangeSpec(name, type.wireName(), true, false, false, Map.of());
    }

    private static Map<String, Object> withoutNullValues(Map<String, Object> args) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
