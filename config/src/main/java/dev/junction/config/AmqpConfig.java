package dev.junction.config;

import java.util.Objects;

/** AMQP 0-9-1 settings. {@code defaultVhost} is used when a client opens the connection without naming one. */
public record AmqpConfig(String defaultVhost) {
    public AmqpConfig {
        Objects.requireNonNull(defaultVhost, "defaultVhost");
    }
}
