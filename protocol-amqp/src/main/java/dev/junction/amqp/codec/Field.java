package dev.junction.amqp.codec;

import java.util.Objects;

/** One method argument: its name as the protocol definition spells it (e.g. {@code "reply-code"}) and its type. */
public record Field(String name, FieldType type) {
    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
