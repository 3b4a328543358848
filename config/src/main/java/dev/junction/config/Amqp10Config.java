package dev.junction.config;

import java.util.Objects;
import java.util.Optional;

/**
 * AMQP 1.0 settings (the {@code amqp10} section; its own listener is {@code listeners.amqp10}).
 *
 * <p>{@code anonymousUser} is the configured user whose permissions apply to clients that log in with SASL
 * ANONYMOUS; it is present exactly when {@code allowAnonymous} is true, the same rule as MQTT's
 * {@code allow_anonymous} and {@code anonymous_user}. Off by default: ANONYMOUS is then not offered.
 */
public record Amqp10Config(boolean allowAnonymous, Optional<String> anonymousUser) {

    /** No anonymous logins. */
    public static final Amqp10Config DEFAULT = new Amqp10Config(false, Optional.empty());

    public Amqp10Config {
        Objects.requireNonNull(anonymousUser, "anonymousUser");
        if (allowAnonymous && anonymousUser.isEmpty()) {
            throw new IllegalArgumentException("allowAnonymous needs an anonymousUser");
        }
    }

    /** The user ANONYMOUS logins act as, when they are allowed. */
    public Optional<String> anonymousLogin() {
        return allowAnonymous ? anonymousUser : Optional.empty();
    }
}
