package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./junction ctl} as an operator types it: the launcher script in its own process, finding the broker
 * through the http listener of the config file next to it. The script and the packaged jar are laid out in a
 * temporary directory as in a checkout (the jar linked, not copied), so the script's build check sees no sources
 * and runs the jar as it is.
 */
class CtlScriptTest {
    private static final Path SCRIPT = Path.of("../junction").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("../broker/target/junction.jar").toAbsolutePath().normalize();

    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    @TempDir
    Path root;

    private record Outcome(int exit, String out) {
    }

    private Outcome junction(String... args) throws Exception {
        Files.createDirectories(root.resolve("broker/target"));
        if (!Files.exists(root.resolve("broker/target/junction.jar"))) {
            Files.createSymbolicLink(root.resolve("broker/target/junction.jar"), JAR);
            Files.copy(SCRIPT, root.resolve("junction"));
        }
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("junction").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        // The script runs "java" from the PATH: make it this JVM's.
        String javaHome = System.getProperty("java.home");
        pb.environment().put("PATH", javaHome + "/bin:" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("JUNCTION_CTL_PASSWORD", "pw");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Outcome(p.exitValue(), out);
    }

    @Test
    void ctlFindsTheBrokerThroughTheConfigFileAndPrintsATable() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/junction.yaml"),
                "listeners:\n  http: { bind: 127.0.0.1, port: " + broker.httpPort() + " }\n");
        Outcome r = junction("ctl", "--user", "admin", "list_vhosts");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().lines().toList()).containsSubsequence("name", "/", "restricted");

        Outcome missing = junction("ctl", "--user", "admin", "delete_queue", "no.such.queue");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("not found: queue 'no.such.queue'");
    }

    @Test
    void versionIsPrintedByTheScript() throws Exception {
        Outcome r = junction("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Junction ").doesNotContain("unknown");
    }
}
