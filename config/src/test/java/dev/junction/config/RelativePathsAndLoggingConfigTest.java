package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relative paths in a config file resolve against the file's directory, not the working directory (issue 13, item
 * 10), and the {@code logging:} section's file, rotation and format keys.
 */
class RelativePathsAndLoggingConfigTest {
    @TempDir
    Path dir;

    @Test
    void storageDirAndLogFileAreRelativeToTheConfigFilesDirectory() throws Exception {
        Path file = dir.resolve("conf").resolve("junction.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                storage: { dir: data }
                logging: { file: ../logs/junction.log, max_file_size: 5MB, max_history: 3, format: json }
                """);
        JunctionConfig c = ConfigLoader.load(file);
        assertThat(c.storage().dir()).isEqualTo(dir.resolve("conf").resolve("data").toAbsolutePath());
        assertThat(c.logging()).isEqualTo(new LoggingConfig("info",
                Optional.of(dir.resolve("logs").resolve("junction.log").toAbsolutePath()), 5_000_000, 3,
                LoggingConfig.Format.JSON));
    }

    @Test
    void absolutePathsStayAsWritten() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, "storage: { dir: /var/lib/junction }\nlogging: { file: /var/log/junction.log }\n");
        JunctionConfig c = ConfigLoader.load(file);
        assertThat(c.storage().dir()).isEqualTo(Path.of("/var/lib/junction"));
        assertThat(c.logging().file()).contains(Path.of("/var/log/junction.log"));
    }

    @Test
    void withoutAFileLoggingIsStandardOutputInText() throws Exception {
        assertThat(parse("logging: { level: debug }").logging()).isEqualTo(new LoggingConfig("debug"));
    }

    @Test
    void loggingKeysAreChecked() {
        assertRejected("logging:\n  format: xml\n", 2, "logging.format", "expected one of text, json");
        assertRejected("logging:\n  file: j.log\n  max_history: 21\n", 3, "logging.max_history", "21");
        assertRejected("logging:\n  file: j.log\n  max_file_size: 10\n", 3, "logging.max_file_size", "at least 1KB");
        assertRejected("logging:\n  max_history: 2\n", 2, "logging.max_history", "set logging.file too");
        assertRejected("logging:\n  file: ''\n", 2, "logging.file", "must not be empty");
    }
}
