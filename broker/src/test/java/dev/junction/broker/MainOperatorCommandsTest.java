package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's commands of issue 13 item 10: --version, hash-password from stdin, check-config, a busy port. */
class MainOperatorCommandsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(InputStream in, String... args) {
        return Main.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int run(String... args) {
        return run(InputStream.nullInputStream(), args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void versionPrintsTheProductAndAVersion() {
        assertThat(run("--version")).isZero();
        assertThat(stdout()).startsWith("Junction ").hasLineCount(1);
    }

    @Test
    void hashPasswordReadsThePasswordFromStandardInputWhenNoneIsGiven() {
        InputStream in = new ByteArrayInputStream("s3cret\n".getBytes(StandardCharsets.UTF_8));
        assertThat(run(in, "hash-password", "--iterations", "1000")).isZero();
        String hash = stdout().strip();
        assertThat(dev.junction.config.PasswordHash.verify(hash, "s3cret")).isTrue();
        assertThat(dev.junction.config.PasswordHash.verify(hash, "s3cret\n")).isFalse();
    }

    @Test
    void hashPasswordWithEmptyStandardInputIsAUsageError() {
        assertThat(run("hash-password")).isEqualTo(2);
        assertThat(stderr()).contains("no password on standard input");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void checkConfigReportsEveryProblemOneLineEachInFileOrder() throws Exception {
        Path file = dir.resolve("three.yaml");
        Files.writeString(file, """
                users:
                  - name: a
                    loopback_only: maybe
                    password: x
                listeners:
                  amqp: { port: 70000 }
                storage:
                  fsync: sometimes
                """);
        assertThat(run("check-config", file.toString())).isEqualTo(1);
        assertThat(stderr().lines().toList()).hasSize(3).satisfiesExactly(
                l -> assertThat(l).startsWith(file + ":3: users[0].loopback_only: expected true or false"),
                l -> assertThat(l).startsWith(file + ":6: listeners.amqp.port: 70000 is out of range"),
                l -> assertThat(l).startsWith(file + ":8: storage.fsync: expected one of"));
        assertThat(stderr()).doesNotContain("Exception");
    }

    @Test
    void aBusyPortIsOneLineNamingTheListenerAndPortWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("busy.yaml");
            Files.writeString(file, """
                    listeners:
                      amqp: { bind: 127.0.0.1, port: %d }
                      mqtt: { bind: 127.0.0.1, port: 0 }
                      mqtt_ws: { enabled: false }
                      http: { bind: 127.0.0.1, port: 0 }
                    storage: { dir: %s }
                    """.formatted(taken.getLocalPort(), dir.resolve("data")));
            assertThat(run("--config", file.toString())).isEqualTo(1);
            assertThat(stderr().strip().lines()).singleElement().satisfies(line -> assertThat(line)
                    .contains("listeners.amqp").contains("127.0.0.1:" + taken.getLocalPort()).contains("in use")
                    .doesNotContain("Exception"));
        }
    }
}
