package dev.junction.routing.api;

import dev.junction.routing.queue.Prefetch;
import java.util.List;

/**
 * A consumer registration. {@code limits} are the credit limits it must respect (its own prefetch and, for
 * channel-wide QoS, the channel's); empty means unlimited. An auto-ack consumer takes no credit but is held back
 * while any of its limits is used up (by other consumers sharing it). {@code owner} identifies the connection, for
 * exclusive-queue checks.
 */
public record ConsumerSpec(String tag, boolean autoAck, boolean exclusive, int priority, List<Prefetch> limits,
                           Object owner) {
    public ConsumerSpec {
        limits = limits == null ? List.of() : List.copyOf(limits);
    }

    public static ConsumerSpec of(String tag, boolean autoAck, Prefetch... limits) {
        return new ConsumerSpec(tag, autoAck, false, 0, List.of(limits), null);
    }
}
