package dev.junction.routing.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a queue declaration asks for. An empty name asks the server to pick one. */
public record QueueSpec(String name, boolean durable, boolean exclusive, boolean autoDelete,
                        Map<String, Object> arguments) {
    /**
     * Argument (true): while the queue's consumers keep taking messages but fall behind, its publishers are paused
     * before its {@code x-max-length} would drop from the head; a queue without consumers, or whose consumers
     * stopped taking, still drops. MQTT session queues set it, so QoS 0 to a reading subscriber loses nothing.
     */
    public static final String HOLD_PUBLISHERS = "x-junction-hold-publishers";

    public QueueSpec {
        name = name == null ? "" : name;
        Map<String, Object> copy = new LinkedHashMap<>();
        if (arguments != null) {
            arguments.forEach((k, v) -> {
                if (v != null) {
                    copy.put(k, v);
                }
            });
        }
        arguments = Map.copyOf(copy);
    }

    public static QueueSpec durable(String name) {
        return new QueueSpec(name, true, false, false, Map.of());
    }

    public static QueueSpec transientQueue(String name) {
        return new QueueSpec(name, false, false, false, Map.of());
    }

    public QueueSpec withName(String newName) {
        return new QueueSpec(newName, durable, exclusive, autoDelete, arguments);
    }

    public QueueSpec withArgument(String key, Object value) {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        args.put(key, value);
        return new QueueSpec(name, durable, exclusive, autoDelete, args);
    }
}
