package dev.junction.routing.api;

import java.util.List;
import java.util.Optional;

/**
 * The exchange types Junction offers: the four every AMQP 0-9-1 broker is expected to offer, and three that RabbitMQ
 * users know from its most used plugins ({@code x-consistent-hash}, {@code x-message-deduplication},
 * {@code x-delayed-message}).
 */
public enum ExchangeType {
    DIRECT("direct"), FANOUT("fanout"), TOPIC("topic"), HEADERS("headers"),
    /** RabbitMQ's consistent-hash exchange plugin: binding key = weight, one queue per message by hash. */
    CONSISTENT_HASH("x-consistent-hash"),
    /** The message-deduplication plugin's exchange: routes like fanout, drops a repeated deduplication header. */
    MESSAGE_DEDUPLICATION("x-message-deduplication"),
    /** The delayed-message plugin's exchange: holds a message for its {@code x-delay}, then routes it by its type. */
    DELAYED_MESSAGE("x-delayed-message");

    /** The four of AMQP 0-9-1, each with its built-in {@code amq.<type>} exchange. */
    public static final List<ExchangeType> STANDARD = List.of(DIRECT, FANOUT, TOPIC, HEADERS);

    private final String wireName;

    ExchangeType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ExchangeType> fromWireName(String name) {
        for (ExchangeType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
