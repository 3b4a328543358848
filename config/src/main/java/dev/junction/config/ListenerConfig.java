package dev.junction.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One network listener. A {@code port} of 0 asks the OS for a free port (handy in tests). {@code tls} is present on
 * the TLS listeners ({@code amqps}, {@code mqtts}, {@code mqtt_wss}) and on an HTTPS {@code http} listener.
 */
public record ListenerConfig(boolean enabled, String bind, int port, Optional<TlsConfig> tls) {
    public ListenerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(tls, "tls");
    }

    /** A plain (non-TLS) listener. */
    public ListenerConfig(boolean enabled, String bind, int port) {
        this(enabled, bind, port, Optional.empty());
    }
}
