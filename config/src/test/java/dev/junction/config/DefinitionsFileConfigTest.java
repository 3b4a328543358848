package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The top-level {@code definitions_file} key: a path relative to the config file's directory, checked readable. */
class DefinitionsFileConfigTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("junction-config");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void absentKeyMeansNoFile() throws Exception {
        assertThat(ConfigLoader.defaults().definitionsFile()).isEmpty();
    }

    @Test
    void aRelativePathIsResolvedAgainstTheConfigFilesDirectory() throws Exception {
        Files.createDirectories(dir.resolve("defs"));
        Files.writeString(dir.resolve("defs/definitions.json"), "{}");
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, "definitions_file: defs/definitions.json\n");
        assertThat(ConfigLoader.load(config).definitionsFile())
                .contains(dir.toAbsolutePath().resolve("defs/definitions.json"));
    }

    @Test
    void checkConfigReportsAMissingFileWithItsLineAndKey() throws Exception {
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, "vhosts: [\"/\"]\ndefinitions_file: absent.json\n");
        List<ConfigException> problems = ConfigLoader.check(config);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).getMessage()).contains(config.toString() + ":2", "definitions_file",
                "cannot read", dir.resolve("absent.json").toAbsolutePath().toString());
    }
}
