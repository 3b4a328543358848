package dev.junction.routing.api;

import java.util.Locale;
import java.util.Optional;

/** The exchange types every AMQP 0-9-1 broker is expected to offer. */
public enum ExchangeType {
    DIRECT, FANOUT, TOPIC, HEADERS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ExchangeType> fromWireName(String name) {
        for (ExchangeType t : values()) {
            if (t.wireName().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
