package dev.junction.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code logging:} section. {@code level} is the root log level, always lower case: one of trace, debug, info,
 * warn, error. {@code file}, when present, is a log file written besides standard output (resolved against the
 * config file's directory), rolled over when it reaches {@code maxFileSize} bytes, keeping {@code maxHistory} older
 * files ({@code junction.1.log} the newest of them). {@code format} is how every line is written, on standard
 * output and in the file: text, or one JSON object per line.
 */
public record LoggingConfig(String level, Optional<Path> file, long maxFileSize, int maxHistory, Format format) {
    public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1000 * 1000;
    public static final int DEFAULT_MAX_HISTORY = 5;
    /** Logback's fixed-window rolling keeps at most 20 older files. */
    public static final int MAX_HISTORY = 20;

    /** How log lines are written. */
    public enum Format {
        /** {@code 2026-01-01T10:00:00.000Z INFO  [thread] logger - message}. */
        TEXT,
        /** One JSON object per line (Logback's JsonEncoder): timestamp, level, thread, logger, message, throwable. */
        JSON
    }

    public LoggingConfig {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
    }

    /** Standard output only, as text, at {@code level}. */
    public LoggingConfig(String level) {
        this(level, Optional.empty(), DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_HISTORY, Format.TEXT);
    }

    /** Whether the outputs differ (file, rotation, format): the log level alone changes at a reload. */
    public boolean sameOutputs(LoggingConfig other) {
        return file.equals(other.file) && maxFileSize == other.maxFileSize && maxHistory == other.maxHistory
                && format == other.format;
    }
}
