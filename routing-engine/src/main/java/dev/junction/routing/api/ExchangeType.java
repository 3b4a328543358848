package dev.junction.routing.api;

import java.util.Locale;
import java.util.Optional;

/**
 * The exchange types every AMQP 0-9-1 broker is expected to offer, then the plugin types Junction builds in
 * ({@code x-delayed-message}); a plugin type's wire name has dashes where the constant has underscores.
 */
public enum ExchangeType {
    DIRECT, FANOUT, TOPIC, HEADERS, X_DELAYED_MESSAGE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
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
