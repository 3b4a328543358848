package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Shared checks: a config error must be one line that names the file, the line and the key. */
final class ConfigAssertions {

    static final String SOURCE = "test.yaml";

    private ConfigAssertions() {
    }

    static JunctionConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, SOURCE);
    }

    static ConfigException failure(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
        assertThat(e.source()).isEqualTo(SOURCE);
        return e;
    }

    /** Asserts the message is {@code test.yaml:LINE: KEY: ...} and mentions {@code problemFragment}. */
    static ConfigException assertRejected(String yaml, int line, String key, String problemFragment) {
        ConfigException e = failure(yaml);
        assertThat(e.getMessage()).startsWith(SOURCE + ":" + line + ": " + key + ": ").contains(problemFragment);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.problem()).contains(problemFragment);
        return e;
    }
}
