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
        assertThat(ConfigLoader.load(SHIPPED)).isEqualTo(ConfigLoader.defaults());
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
