package dev.junction.routing.api;

import dev.junction.routing.queue.Prefetch;
import java.util.List;
import java.util.Map;

/**
 * A consumer registration. {@code limits} are the credit limits it must respect (its own prefetch and, for
 * channel-wide QoS, the channel's); empty means unlimited. An auto-ack consumer takes no credit but is held back
 * while any of its limits is used up (by other consumers sharing it). {@code owner} identifies the connection, for
 * exclusive-queue checks. {@code arguments} are the consumer arguments as the adapter got them.
 */
public record ConsumerSpec(String tag, boolean autoAck, boolean exclusive, int priority, List<Prefetch> limits,
                           Object owner, Map<String, Object> arguments) {
    public ConsumerSpec {
        limits = limits == null ? List.of() : List.copyOf(limits);
        arguments = arguments == null ? Map.of() : arguments;
    }

    /** Without consumer arguments ({@code basic.consume}'s table; a stream reads {@code x-stream-offset}). */
    public ConsumerSpec(String tag, boolean autoAck, boolean exclusive, int priority, List<Prefetch> limits,
                        Object owner) {
        this(tag, autoAck, exclusive, priority, limits, owner, Map.of());
    }

    public static ConsumerSpec of(String tag, boolean autoAck, Prefetch... limits) {
        return new ConsumerSpec(tag, autoAck, false, 0, List.of(limits), null);
    }
}
