package dev.junction.config;

import java.util.Objects;

/**
 * One RabbitMQ-style topic permission of a user in one vhost: for messages through topic exchange {@code exchange},
 * {@code write} is a regular expression the routing key of a publish must match and {@code read} one the binding
 * key of a {@code queue.bind} / {@code exchange.bind} must match (unanchored, like {@link VhostPermission}; "" grants
 * nothing). The expressions are kept as written because they may hold the variables {@code {username}},
 * {@code {vhost}} and {@code {client_id}}, filled in per connection.
 */
public record TopicPermission(String exchange, String write, String read) {
    public TopicPermission {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(read, "read");
    }
}
