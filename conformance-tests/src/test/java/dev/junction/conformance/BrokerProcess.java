package dev.junction.conformance;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged broker in its own process, as users run it, so a test can kill it with SIGKILL and start it again
 * on the same data directory. Ports are ephemeral; the chosen ones are read from the log.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Path JAR = Path.of("../broker/target/junction.jar");
    private static final Pattern LISTENING = Pattern.compile("listening for (\\w+) on [^:]+:(\\d+)");

    private final Process process;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private BrokerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "broker-log-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the jar with a config that keeps its data in {@code dataDir}; waits until AMQP listens. */
    public static BrokerProcess start(Path dataDir, String extraYaml) throws Exception {
        return start(dataDir, 0, 0, 0, extraYaml);
    }

    /**
     * As {@link #start(Path, String)}, with AMQP, MQTT and HTTP on the given ports (0: any free one), so that a
     * node started again on its directory listens where its clients knew it.
     */
    public static BrokerProcess start(Path dataDir, int amqp, int mqtt, int http, String extraYaml)
            throws Exception {
        return start(dataDir, "127.0.0.1", amqp, mqtt, http, extraYaml, List.of());
    }

    /**
     * As above, the listeners binding {@code bind}, the JVM started through {@code launcher} (such as {@code ip
     * netns exec NAME}, which execs it: the process is still the JVM's).
     */
    public static BrokerProcess start(Path dataDir, String bind, int amqp, int mqtt, int http, String extraYaml,
                                      List<String> launcher) throws Exception {
        Path config = dataDir.resolveSibling(dataDir.getFileName() + ".yaml");
        Files.writeString(config, """
                listeners:
                  amqp: { bind: %1$s, port: %2$d }
                  mqtt: { bind: %1$s, port: %3$d }
                  mqtt_ws: { bind: %1$s, port: 0 }
                  http: { bind: %1$s, port: %4$d }
                storage: { dir: %5$s }
                %6$s
                """.formatted(bind, amqp, mqtt, http, dataDir, extraYaml));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(launcher);
        // C1 only (JAVA_OPTS a user may set too): a test's broker lives for seconds to minutes, and C2's compiler
        // threads took the CPU that its start and catch-up, and the other nodes on the same cores, needed. Its code
        // behaves the same; only the speed of its hot loops, which no test asserts, differs.
        command.addAll(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString(),
                "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BrokerProcess broker = new BrokerProcess(p);
        try {
            broker.port("amqp");
        } catch (AssertionError | InterruptedException notUp) {
            // The caller never gets the handle, so nothing else would stop this process (e.g. one whose cluster
            // port was taken and that keeps retrying): it must not outlive the test.
            broker.kill();
            throw notUp;
        }
        return broker;
    }

    public int port(String listener) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            synchronized (log) {
                for (String line : log) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find() && m.group(1).equals(listener)) {
                        return Integer.parseInt(m.group(2));
                    }
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("broker exited with " + process.exitValue() + ":\n" + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("broker did not log its " + listener + " port within 120 s:\n" + log()
                + "\nits threads:\n" + threadDump());
    }

    /**
     * The process's threads as {@code jstack} prints them, so a start that hangs says where; a note instead when
     * the JDK has no jstack or it does not answer in time.
     */
    private String threadDump() throws InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jstack = java.getParent() == null ? Path.of("jstack") : java.resolveSibling("jstack");
        try {
            Process dump = new ProcessBuilder(jstack.toString(), Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            byte[] out = dump.getInputStream().readAllBytes();
            if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        }
    }

    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, like a crash or a power cut of the process. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stays, its sockets open, but runs nothing (a node hung or cut off for a while). */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0 && process.isAlive()) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                resume(); // a paused process would not act on SIGTERM
            } catch (IOException gone) {
                // it ended meanwhile
            }
            process.toHandle().destroy(); // SIGTERM, keeping the output pipe open for the log
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
