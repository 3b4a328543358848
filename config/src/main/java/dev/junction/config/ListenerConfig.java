package dev.junction.config;

import java.util.Objects;

/** One network listener. A {@code port} of 0 asks the OS for a free port (handy in tests). */
public record ListenerConfig(boolean enabled, String bind, int port) {
    public ListenerConfig {
        Objects.requireNonNull(bind, "bind");
    }
}
