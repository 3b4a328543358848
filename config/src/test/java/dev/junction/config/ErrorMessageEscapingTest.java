package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** Found by ConfigLoaderFuzzTest: a quoted key with an escaped line break split the one-line error in two. */
class ErrorMessageEscapingTest {

    @Test
    void controlCharactersFromTheFileAreEscapedSoTheErrorStaysOneLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("limits:\n  \"max\\nconn\\u001b[2J\": 1\n", "j.yaml"));
        assertThat(e.getMessage()).startsWith("j.yaml:2: ").contains("max\\nconn\\u001b[2J")
                .doesNotContain("\n").doesNotContain("\u001b");
    }
}
