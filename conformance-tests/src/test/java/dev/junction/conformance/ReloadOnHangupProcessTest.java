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
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP as an operator sends it ({@code kill -HUP}, {@code systemctl reload}) to the packaged jar in its own
 * process: it re-reads the config file and never stops the broker, with a good file or a bad one.
 */
class ReloadOnHangupProcessTest {
    private static final Path JAR = Path.of("../broker/target/junction.jar");
    private static final Pattern HTTP_PORT = Pattern.compile("listening for http on [^:]+:(\\d+)");
    private static final String CONFIG = """
            listeners:
              amqp: { port: 0 }
              mqtt: { port: 0 }
              mqtt_ws: { enabled: false }
              http: { bind: 127.0.0.1, port: 0 }
            storage: { dir: %s }
            users:
              - name: admin
                password: pw
                tags: [administrator]
            """;

    @TempDir
    Path dir;

    @Test
    void sighupReloadsTheFileAndABadFileDoesNotStopTheBroker() throws Exception {
        Path config = dir.resolve("junction.yaml");
        String base = CONFIG.formatted(dir.resolve("data"));
        Files.writeString(config, base);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", JAR.toString(), "--config", config.toString())
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
            int port = Integer.parseInt(await(log, HTTP_PORT).group(1));
            // The http listener is bound before the store is read back (/api answers 503 until then).
            await(log, Pattern.compile("Junction started"));
            assertThat(whoami(port, "late")).isEqualTo(401);

            Files.writeString(config, base + """
                      - name: late
                        password: pw
                        tags: [monitoring]
                    """);
            hangup(p);
            await(log, Pattern.compile("reloaded .*junction\\.yaml"));
            assertThat(whoami(port, "late")).isEqualTo(200);

            Files.writeString(config, base + "  - name: broken\n    pasword: pw\n");
            hangup(p);
            await(log, Pattern.compile("reload refused, the running configuration stays: .*junction\\.yaml:\\d+"));
            assertThat(p.isAlive()).isTrue();
            assertThat(whoami(port, "late")).isEqualTo(200);
        } finally {
            p.toHandle().destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
            reader.join(5_000);
        }
    }

    private static void hangup(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static int whoami(int port, String user) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/whoami")).header("Authorization", "Basic " + auth)
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static Matcher await(List<String> log, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            synchronized (log) {
                for (String line : log) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log line matching " + pattern + " within 30 s:\n" + String.join("\n", log));
    }
}
