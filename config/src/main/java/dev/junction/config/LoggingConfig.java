package dev.junction.config;

import java.util.Objects;

/** Root log level, always lower case: one of trace, debug, info, warn, error. */
public record LoggingConfig(String level) {
    public LoggingConfig {
        Objects.requireNonNull(level, "level");
    }
}
