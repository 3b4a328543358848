package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.QueueSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose definitions do not fit in the heap: the start ends with one line naming the heap it needs, not
 * with an OutOfMemoryError part way through the rebuild (issue: "recovery itself ran out of memory and the broker
 * could not start"). The jar runs in its own JVM with a small -Xmx and -XX:+ExitOnOutOfMemoryError, as the
 * launcher runs it.
 */
class RecoveryHeapTest {
    private static final Path JAR = Path.of("../broker/target/junction.jar");

    @Test
    void aStoreTooLargeForTheHeapEndsTheStartWithOneLineNamingTheHeapItNeeds(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String yaml = """
                listeners:
                  amqp: { bind: 127.0.0.1, port: 0 }
                  mqtt: { bind: 127.0.0.1, port: 0 }
                  mqtt_ws: { bind: 127.0.0.1, port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: %s }
                limits:
                  vhost_defaults: { max_queues: 0 }
                """.formatted(data);
        try (Broker broker = Broker.start(ConfigLoader.parse(yaml, "test.yaml"))) {
            VirtualHost vhost = broker.engine().vhost("/").orElseThrow();
            for (int i = 0; i < 8000; i++) {
                vhost.declareQueue(new QueueSpec("app.q" + i, true, false, false, Map.of()), null, false);
            }
        }
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, yaml);

        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-jar", JAR.toString(),
                "--config", config.toString()).redirectErrorStream(true).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(ended).as("the start ended; output:\n%s", output).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(output).as(output).containsPattern(
                "junction: could not start: the heap is too small to recover 8,000 queues, .*: it needs about \\d+ "
                        + "MiB, the maximum heap is \\d+ MiB; start with -Xmx\\d+m or more")
                .doesNotContain("OutOfMemoryError");
    }
}
