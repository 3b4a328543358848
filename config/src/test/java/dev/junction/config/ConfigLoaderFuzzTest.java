package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of {@link ConfigLoader#load} (and so {@link ConfigReader}, {@link YamlMapping},
 * {@link UserReader}) on arbitrary bytes written to a file, as an operator's file would be read.
 *
 * <p>Invariants, per input: the loader returns a configuration or throws {@link ConfigException}, never another
 * exception or error (a stack overflow on deeply nested YAML included); the error is one line naming the file
 * (the README's promise: "one line naming file, line and key"), so no control character from the file reaches
 * the log; a configuration it accepts loads again to the same values; heap allocated stays within a constant
 * plus a multiple of the file size (aliases must not expand into a billion laughs); {@link ConfigLoader#check}
 * never throws, finds nothing in a file the loader accepts, and among the problems of one it refuses finds the
 * one the loader threw.
 *
 * <p>Jazzer's regular-expression-injection sanitizer is off for this module (src/test/resources/
 * junit-platform.properties): permissions are regular expressions the operator writes, as in RabbitMQ, and a
 * malformed one is reported as a ConfigException, which this test checks.
 */
class ConfigLoaderFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Path FILE = tempFile();

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(FILE);
    }

    @FuzzTest(maxDuration = "10m")
    void anyFileLoadsOrFailsWithOneConfigException(byte[] input) throws IOException {
        Files.write(FILE, input);
        long budget = (16L << 20) + 2048L * input.length;
        long used = loadAndCheck(input);
        if (used > budget) {
            used = loadAndCheck(input); // the first run of a path loads classes; an input's own cost repeats
            assertThat(used).as("heap allocated loading %d bytes", input.length).isLessThanOrEqualTo(budget);
        }
    }

    private static long loadAndCheck(byte[] input) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        JunctionConfig config;
        try {
            config = ConfigLoader.load(FILE);
        } catch (ConfigException e) {
            String message = e.getMessage();
            assertThat(message).as("error names the file").startsWith(FILE.toString());
            assertThat(message.chars().noneMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028
                    || c == 0x2029)).as("one line without control characters: %s", message).isTrue();
            long used = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertThat(ConfigLoader.check(FILE)).as("check-config finds the problem start stops at")
                    .extracting(ConfigException::getMessage).contains(message);
            return used;
        }
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(ConfigLoader.check(FILE)).as("check-config on an accepted file").isEmpty();
        try {
            // Compared as text: the permission regexes are Patterns, which have no equals.
            assertThat(ConfigLoader.load(FILE)).as("loads the same twice").hasToString(config.toString());
        } catch (ConfigException e) {
            throw new AssertionError("accepted once, refused the second time: " + e.getMessage(), e);
        }
        return used;
    }

    private static Path tempFile() {
        try {
            Path p = Files.createTempFile("junction-fuzz", ".yaml");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
