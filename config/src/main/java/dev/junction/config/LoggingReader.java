package dev.junction.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads the {@code logging:} section: level, and an optional log file with size-based rotation and a line format. */
final class LoggingReader {
    static final List<String> KEYS = List.of("level", "file", "max_file_size", "max_history", "format");
    static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    private LoggingReader() {
    }

    /** {@code baseDir}: the config file's directory, null when the text came from no file (then the working dir). */
    static LoggingConfig read(YamlMapping section, Path baseDir) throws ConfigException {
        String level = section.choice("level", "info", LEVELS);
        Optional<Path> file = Optional.empty();
        Optional<String> text = section.optionalString("file");
        if (text.isPresent()) {
            if (text.get().isBlank()) {
                throw section.error("file", "must not be empty (leave the key out to log to standard output only)");
            }
            try {
                Path p = Path.of(text.get());
                file = Optional.of(baseDir == null || p.isAbsolute() ? p : baseDir.resolve(p).normalize());
            } catch (InvalidPathException e) {
                throw section.error("file", "'" + text.get() + "' is not a valid path: " + e.getReason());
            }
        }
        long maxFileSize = LoggingConfig.DEFAULT_MAX_FILE_SIZE;
        if (section.has("max_file_size")) {
            maxFileSize = ByteSize.parse(section.string("max_file_size", ""));
            if (maxFileSize < 1024) {
                throw section.error("max_file_size", "expected a size of at least 1KB, such as 10MB or 1GiB");
            }
        }
        int maxHistory = section.integer("max_history", LoggingConfig.DEFAULT_MAX_HISTORY, 1,
                LoggingConfig.MAX_HISTORY);
        String format = section.choice("format", "text", List.of("text", "json"));
        if (file.isEmpty() && (section.has("max_file_size") || section.has("max_history"))) {
            throw section.error(section.has("max_file_size") ? "max_file_size" : "max_history",
                    "applies to the log file: set logging.file too");
        }
        return new LoggingConfig(level, file, maxFileSize, maxHistory,
                LoggingConfig.Format.valueOf(format.toUpperCase(Locale.ROOT)));
    }
}
