package dev.junction.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as users run it: the packaged jar in its own process, stopped with SIGTERM. */
class LauncherProcessTest {
    private static final Path JAR = Path.of("../broker/target/junction.jar");
    private static final Pattern HTTP_PORT = Pattern.compile("listening for http on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    @Test
    void jarStartsOnEphemeralPortsServesMetricsAndStopsGracefullyOnSigterm() throws Exception {
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: %s }
                """.formatted(dir.resolve("data")));
        Process p = new ProcessBuilder(java(), "-jar", JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true).start();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                }
            } catch (Exception ignored) {
                // The process ended.
            }
        });
        reader.start();
        try {
            int port = waitForPort(log);
            HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("junction_messages_published_total");

            long stopAsked = System.nanoTime();
            p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output pipe
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAsked)).isLessThan(10_000);
            reader.join(5_000);
            assertThat(String.join("\n", log)).as("exit code %d", p.exitValue()).contains("Junction stopped");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void checkConfigOnABrokenFilePrintsFileLineAndKeyAndExitsOne() throws Exception {
        Path config = dir.resolve("broken.yaml");
        Files.writeString(config, "vhosts: [\"/\"]\nlisteners:\n  http:\n    port: -1\n");
        Process p = new ProcessBuilder(java(), "-jar", JAR.toString(), "check-config", config.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(output).contains("broken.yaml:4").contains("listeners.http.port");
    }

    /**
     * The http port, once the broker has started: the http listener is bound first (so /health can answer
     * "starting" while the store is read back), before the engine's metrics exist.
     */
    private static int waitForPort(List<String> log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            synchronized (log) {
                boolean started = log.stream().anyMatch(line -> line.contains("Junction started"));
                for (String line : log) {
                    Matcher m = HTTP_PORT.matcher(line);
                    if (started && m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("broker did not log its http port within 30 s:\n" + String.join("\n", log));
    }
}
