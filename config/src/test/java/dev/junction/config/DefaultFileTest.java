package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultFileTest {

    // Tests run in the module directory, where the shipped default file lives.
    private static final Path SHIPPED = Path.of("junction.yaml");

    @Test
    void theShippedFileLoadsToExactlyTheDefaults() throws ConfigException {
        // The file's storage.dir, "../data", is relative to the file's own directory (issue 13, item 10), so the
        // broker started from the project root or an unpacked archive keeps its data in <root>/data; the built-in
        // defaults, read from no file, keep it relative to the working directory. Everything else is the defaults.
        JunctionConfig d = ConfigLoader.defaults();
        StorageConfig s = d.storage();
        JunctionConfig expected = new JunctionConfig(d.listeners(), new StorageConfig(
                SHIPPED.toAbsolutePath().getParent().resolve("../data").normalize(), s.fsync(),
                s.groupCommitMaxMessages(), s.groupCommitMaxWait(), s.queueWindowMessages(), s.queueWindowBytes(),
                s.compaction()), d.vhosts(), d.users(), d.limits(), d.amqp(), d.mqtt(), d.logging(), d.auth(),
                d.definitionsFile());
        assertThat(ConfigLoader.load(SHIPPED)).isEqualTo(expected);
    }

    @Test
    void theShippedFileSpellsOutEveryKey() throws IOException {
        String text = Files.readString(SHIPPED);
        List<String> keys = new ArrayList<>();
        keys.addAll(ConfigReader.TOP_KEYS);
        keys.addAll(ConfigReader.LISTENER_NAMES);
        keys.addAll(ConfigReader.LISTENER_KEYS);
        keys.addAll(ConfigReader.TLS_LISTENER_KEYS);
        keys.addAll(TlsReader.TLS_KEYS);
        keys.addAll(ConfigReader.STORAGE_KEYS);
        keys.addAll(ConfigReader.LIMITS_KEYS);
        keys.addAll(ConfigReader.AMQP_KEYS);
        keys.addAll(ConfigReader.MQTT_KEYS);
        keys.addAll(ConfigReader.AMQP10_KEYS);
        keys.addAll(ConfigReader.LOGGING_KEYS);
        keys.addAll(ClusterReader.KEYS);
        keys.addAll(ClusterReader.PEER_KEYS);
        keys.addAll(UserReader.USER_KEYS);
        keys.addAll(UserReader.PERMISSION_KEYS);
        keys.addAll(UserReader.TOPIC_PERMISSION_KEYS);

        for (String key : keys) {
            assertThat(text).as("key %s", key).containsPattern("(?m)[\\s{,]" + key + ":");
        }
    }

    @Test
    void aMissingFileIsOneLineNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("absent.yaml");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing));

        assertThat(e.getMessage()).isEqualTo(missing + ": file not found");
        assertThat(e.line()).isZero();
    }

    @Test
    void errorsInALoadedFileNameThePathAsGiven(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broker.yaml");
        Files.writeString(file, "logging:\n  level: loud\n");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

        assertThat(e.getMessage()).isEqualTo(file + ":2: logging.level: "
                + "expected one of trace, debug, info, warn, error, got 'loud'");
    }

    @Test
    void aFileThatIsNotUtf8IsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "users: [{name: j\u00fcrgen, password: x}]".getBytes(StandardCharsets.ISO_8859_1));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

        assertThat(e.getMessage()).isEqualTo(file + ": not valid UTF-8 text");
    }

    @Test
    void aLeadingByteOrderMarkIsIgnored(@TempDir Path dir) throws IOException, ConfigException {
        Path file = dir.resolve("bom.yaml");
        Files.writeString(file, "\uFEFFlogging: { level: debug }\n");

        assertThat(ConfigLoader.load(file).logging().level()).isEqualTo("debug");
    }
}
