package dev.junction.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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

/**
 * Operator details of issue 13, item 10, with the packaged jar in its own process started from another working
 * directory: relative paths in the config file (storage.dir, logging.file) are relative to the file's directory,
 * the start line names the store's absolute path, and the optional log file (Logback's rolling appender) appears,
 * rolls over at its size and keeps max_history older files, in text or JSON lines, escaping what clients send.
 */
class ConfigRelativePathsProcessTest {
    private static final Path JAR = Path.of("../broker/target/junction.jar").toAbsolutePath();
    private static final Pattern LISTENING = Pattern.compile("listening for (\\w+) on [^:]+:(\\d+)");
    /** A user name that would forge a second log line if it were written as it is. */
    private static final String FORGING_USER = "evil\nINFO forged line";

    @TempDir
    Path dir;

    @Test
    void storeAndJsonLogFileAreRelativeToTheConfigFileAndTheFileRollsOver() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(conf.resolve("junction.yaml"), """
                listeners:
                  amqp: { bind: 127.0.0.1, port: 0 }
                  mqtt: { enabled: false }
                  mqtt_ws: { enabled: false }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: store }
                logging:
                  file: logs/junction.log
                  max_file_size: 2KB
                  max_history: 2
                  format: json
                limits: { auth_failure_max_delay_ms: 0 }
                """);
        List<String> out = start(conf, elsewhere);
        Path logs = conf.resolve("logs");
        try {
            int amqp = port(out, "amqp");
            assertThat(conf.resolve("store")).isDirectory();
            assertThat(elsewhere.resolve("store")).doesNotExist();
            assertThat(elsewhere.resolve("logs")).doesNotExist();
            // Standard output is JSON lines too (JSON writes '/' as '\/').
            String started = new ObjectMapper().readTree(line(out, "Junction started")).get("formattedMessage")
                    .asText();
            assertThat(started).contains("store " + conf.resolve("store").toRealPath());

            // Log lines until the file has rolled over twice: junction.log, junction.1.log, junction.2.log.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(logs.resolve("junction.2.log"))) {
                assertThat(System.nanoTime()).as("rolled over twice").isLessThan(deadline);
                connect(amqp);
            }
            for (int i = 0; i < 40; i++) {
                connect(amqp); // more rollovers: still only two older files
            }
            refusedLogin(amqp); // last, so that its line is in the current file
        } finally {
            stop(out);
        }
        assertThat(logs.resolve("junction.log")).isRegularFile();
        assertThat(logs.resolve("junction.1.log")).isRegularFile();
        assertThat(logs.resolve("junction.3.log")).doesNotExist();
        // Rolled once past the size (checked every 250 ms, so a little past it, never before it).
        assertThat(Files.size(logs.resolve("junction.1.log"))).isGreaterThanOrEqualTo(2000);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String f : List.of("junction.2.log", "junction.1.log", "junction.log")) {
            for (String line : Files.readAllLines(logs.resolve(f))) {
                lines.add(json.readTree(line)); // every line is one JSON object
            }
        }
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.get("level").asText()).isNotEmpty();
            assertThat(l.has("timestamp")).isTrue();
            assertThat(l.has("loggerName")).isTrue();
            assertThat(l.get("formattedMessage").asText()).doesNotContain("\n");
        });
        assertThat(lines).anySatisfy(l -> assertThat(l.get("formattedMessage").asText())
                .contains("evil\\nINFO forged line"));
    }

    @Test
    void textLogFileUsesTheConsolePatternAndEscapesControlCharacters() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(conf.resolve("junction.yaml"), """
                listeners:
                  amqp: { bind: 127.0.0.1, port: 0 }
                  mqtt: { enabled: false }
                  mqtt_ws: { enabled: false }
                  http: { enabled: false }
                storage: { dir: ../data }
                logging: { file: junction.log }
                """);
        List<String> out = start(conf, elsewhere);
        try {
            refusedLogin(port(out, "amqp"));
            assertThat(dir.resolve("data")).isDirectory();
        } finally {
            stop(out);
        }
        List<String> lines = Files.readAllLines(conf.resolve("junction.log"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("Junction started"));
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("^\\d{4}-\\d\\d-\\d\\dT.*"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("evil\\nINFO forged line"));
        assertThat(String.join("\n", out)).as("standard output too").contains("Junction started");
    }

    /** A connection opened and closed: two INFO lines. */
    private static void connect(int port) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.newConnection().close();
    }

    private static void refusedLogin(int port) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setUsername(FORGING_USER);
        f.setPassword("wrong");
        try {
            f.newConnection().close();
            throw new AssertionError("a login with a wrong password was accepted");
        } catch (AuthenticationFailureException expected) {
            // The refusal is logged with the user name.
        }
    }

    private Process process;

    private List<String> start(Path conf, Path workingDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // The config is named relatively too, from the working directory.
        process = new ProcessBuilder(java, "-jar", JAR.toString(), "--config",
                workingDir.relativize(conf.resolve("junction.yaml")).toString())
                .directory(workingDir.toFile()).redirectErrorStream(true).start();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                }
            } catch (Exception ignored) {
                // The process ended.
            }
        });
        reader.setDaemon(true);
        reader.start();
        line(out, "Junction started");
        return out;
    }

    private void stop(List<String> out) throws Exception {
        process.toHandle().destroy(); // SIGTERM
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private String line(List<String> out, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            synchronized (out) {
                for (String l : out) {
                    if (l.contains(text)) {
                        return l;
                    }
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + text + "':\n" + String.join("\n", out));
    }

    private int port(List<String> out, String listener) throws Exception {
        line(out, "Junction started");
        synchronized (out) {
            for (String l : out) {
                Matcher m = LISTENING.matcher(l);
                if (m.find() && m.group(1).equals(listener)) {
                    return Integer.parseInt(m.group(2));
                }
            }
        }
        throw new AssertionError("no " + listener + " port:\n" + String.join("\n", out));
    }
}
