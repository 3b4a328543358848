package dev.junction.amqp.codec;

import java.util.Objects;

/** A method frame (type 1). */
public record MethodFrame(int channel, Method method) implements AmqpFrame {
    public MethodFrame {
        Objects.requireNonNull(method, "method");
    }
}
