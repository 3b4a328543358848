package dev.junction.routing.api;

import java.util.List;
import java.util.Map;

/**
 * What an adapter asks for when it consumes: its tag, whether deliveries come settled ({@code no-ack}, MQTT
 * QoS 0), exclusivity ({@code basic.consume} exclusive), priority ({@code x-priority}), the credits the consumer
 * draws from (its own and its channel's; empty = unlimited) and the owning connection, which exclusive queues
 * are checked against. {@code arguments}: the consumer arguments ({@code basic.consume}'s table), which a stream
 * reads its {@code x-stream-offset} from; other queues ignore them.
 */
public record ConsumeRequest(String tag, boolean autoAck, boolean exclusive, int priority, List<Credit> credits,
                             Object owner, Map<String, Object> arguments) {

    public ConsumeRequest {
        credits = credits == null ? List.of() : List.copyOf(credits);
        arguments = arguments == null ? Map.of() : arguments;
    }

    /** Without consumer arguments; see {@link #arguments()}. */
    public ConsumeRequest(String tag, boolean autoAck, boolean exclusive, int priority, List<Credit> credits,
                          Object owner) {
        this(tag, autoAck, exclusive, priority, credits, owner, Map.of());
    }

    public static ConsumeRequest of(String tag, boolean autoAck, Credit... credits) {
        return new ConsumeRequest(tag, autoAck, false, 0, List.of(credits), null);
    }

    ConsumerSpec toSpec() {
        return new ConsumerSpec(tag, autoAck, exclusive, priority,
                credits.stream().map(Credit::prefetch).toList(), owner, arguments);
    }
}
