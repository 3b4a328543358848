package dev.junction.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as an operator uses it: unpacked with {@code tar} into a directory of its own, the
 * launcher run from an unrelated working directory with no arguments (so it must find the jar and its default
 * config next to itself), stopped with SIGTERM.
 */
class DistributionArchiveTest {
    /** The build's version, set by this module's surefire configuration. */
    private static final String VERSION = System.getProperty("junction.version");
    private static final Path ARCHIVE = Path.of("../broker/target/junction-" + VERSION + ".tar.gz");

    @TempDir
    Path install;

    @TempDir
    Path elsewhere;

    @Test
    void unpackedArchiveStartsFromAnotherDirectoryAndAnswersVersion() throws Exception {
        assertThat(VERSION).as("system property junction.version").isNotBlank();
        assertThat(ARCHIVE).as("built by mvn package in the broker module").isRegularFile();
        run(install, "tar", "-xzf", ARCHIVE.toAbsolutePath().toString(), "-C", install.toString());
        Path home = install.resolve("junction-" + VERSION);
        Path launcher = home.resolve("bin/junction");
        assertThat(Files.isExecutable(launcher)).as("bin/junction is executable").isTrue();
        assertThat(home.resolve("lib/junction.jar")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("docs/architecture.md")).isRegularFile();
        assertThat(Files.readString(home.resolve("config/junction.yaml")))
                .as("the shipped config is the repository's default")
                .isEqualTo(Files.readString(Path.of("../config/junction.yaml")));
        assertThat(Files.readString(home.resolve("systemd/junction.service")))
                .contains("User=junction", "Restart=on-failure", "--config /etc/junction/junction.yaml");

        assertThat(run(elsewhere, launcher.toString(), "--version")).contains("Junction " + VERSION);
        assertThat(run(elsewhere, launcher.toString(), "check-config",
                home.resolve("config/junction.yaml").toString())).contains("ok");

        // The default config binds fixed ports; the installed copy gets ephemeral ones and a temporary store.
        Files.writeString(home.resolve("config/junction.yaml"), """
                listeners:
                  amqp: { bind: 127.0.0.1, port: 0 }
                  mqtt: { bind: 127.0.0.1, port: 0 }
                  mqtt_ws: { bind: 127.0.0.1, port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: %s }
                """.formatted(install.resolve("data")));
        Process broker = new ProcessBuilder(launcher.toString()).directory(elsewhere.toFile())
                .redirectErrorStream(true).start();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> readLines(broker, log), "dist-broker-log");
        reader.setDaemon(true);
        reader.start();
        try {
            waitFor(log, broker, "Junction started");
            broker.toHandle().destroy(); // SIGTERM: bin/junction exec'd the JVM, so this reaches the broker
            assertThat(broker.waitFor(15, TimeUnit.SECONDS)).as("stopped within 15 s").isTrue();
            reader.join(5_000);
            assertThat(join(log)).contains("Junction stopped");
        } finally {
            broker.destroyForcibly();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(elsewhere).as("nothing written to the working directory").isEmptyDirectory();
    }

    /** Runs a short command in {@code dir}; returns its output, failing unless it exits 0 within 60 s. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 60 s:\n" + output);
        }
        assertThat(p.exitValue()).as("%s exit code; output:%n%s", String.join(" ", command), output).isZero();
        return output;
    }

    private static void readLines(Process p, List<String> log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.add(line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static void waitFor(List<String> log, Process p, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            synchronized (log) {
                if (log.stream().anyMatch(line -> line.contains(text))) {
                    return;
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("broker exited with " + p.exitValue() + ":\n" + join(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("broker did not log '" + text + "' within 60 s:\n" + join(log));
    }

    private static String join(List<String> log) {
        synchronized (log) {
            return String.join("\n", log);
        }
    }
}
