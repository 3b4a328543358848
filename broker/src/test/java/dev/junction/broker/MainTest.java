package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkConfigAcceptsTheShippedDefaultFile() {
        assertThat(run("check-config", "../config/junction.yaml")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ok");
    }

    @Test
    void checkConfigNamesFileLineAndKeyOfAnOutOfRangePort() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "listeners:\n  amqp:\n    port: 70000\n");
        assertThat(run("check-config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("broken.yaml:3").contains("listeners.amqp.port").contains("70000");
        assertThat(stderr()).doesNotContain("Exception");
    }

    @Test
    void checkConfigNamesAnUnknownKey() throws Exception {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "vhosts: [\"/\"]\nstorage:\n  dri: data\n");
        assertThat(run("check-config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("typo.yaml:3").contains("storage.dri");
    }

    @Test
    void startingWithABrokenFileFailsWithOneLineAndExitCodeOne() throws Exception {
        Path file = dir.resolve("dup.yaml");
        Files.writeString(file, "users:\n  - {name: a, password: x}\n  - {name: a, password: y}\n");
        assertThat(run("--config", file.toString())).isEqualTo(1);
        assertThat(stderr().strip().lines()).hasSize(1);
        assertThat(stderr()).contains("dup.yaml:3").contains("users[1].name");
    }

    @Test
    void hashPasswordPrintsAHashThatVerifies() {
        assertThat(run("hash-password", "s3cret")).isZero();
        String hash = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(hash).startsWith("$pbkdf2-sha512$i=210000$");
        assertThat(dev.junction.config.PasswordHash.verify(hash, "s3cret")).isTrue();
    }

    @Test
    void hashPasswordWritesPbkdf2WithTheIterationCountAskedFor() {
        assertThat(run("hash-password", "--iterations", "1000", "s3cret")).isZero();
        String hash = out.toString(StandardCharsets.UTF_8).strip();
        // The format records algorithm, iterations and salt, so the count can be raised later for new hashes only.
        assertThat(hash).matches("\\$pbkdf2-sha512\\$i=1000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{86}");
        assertThat(dev.junction.config.PasswordHash.verify(hash, "s3cret")).isTrue();
        assertThat(dev.junction.config.PasswordHash.verify(hash, "s3cret!")).isFalse();
    }

    @Test
    void hashPasswordWritesAScramSecretWhenAskedFor() {
        assertThat(run("hash-password", "--scram-sha-256", "s3cret")).isZero();
        String secret = out.toString(StandardCharsets.UTF_8).strip();
        // RFC 5803's form: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        assertThat(secret).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=");
        assertThat(dev.junction.config.PasswordHash.verify(secret, "s3cret")).isTrue();
        assertThat(run("hash-password", "--scram-sha-512", "--iterations", "100", "s3cret")).isEqualTo(2);
        assertThat(stderr()).contains("4096..10000000");
    }

    @Test
    void hashPasswordRefusesAnIterationCountOutOfRange() {
        assertThat(run("hash-password", "--iterations", "10", "s3cret")).isEqualTo(2);
        assertThat(stderr()).contains("usage").contains("1000..10000000");
    }

    @Test
    void unknownArgumentsPrintUsage() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("usage");
    }
}
