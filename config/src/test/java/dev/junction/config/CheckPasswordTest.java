package dev.junction.config;

import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckPasswordTest {

    private static UserConfig user(Optional<String> password, Optional<String> hash) {
        return new UserConfig("u", password, hash, List.of(), false, Map.of(), List.of());
    }

    @Test
    void aPlainPasswordAcceptsItselfAndRejectsAnythingElse() {
        UserConfig u = user(Optional.of("guest"), Optional.empty());

        assertThat(u.checkPassword("guest")).isTrue();
        assertThat(u.checkPassword("Guest")).isFalse();
        assertThat(u.checkPassword("guest2")).isFalse();
        assertThat(u.checkPassword("")).isFalse();
        assertThat(u.checkPassword(null)).isFalse();
    }

    @Test
    void aHashedPasswordAcceptsThePasswordAndRejectsAnythingElse() {
        UserConfig u = user(Optional.empty(), Optional.of(PasswordHash.create("hunter2")));

        assertThat(u.checkPassword("hunter2")).isTrue();
        assertThat(u.checkPassword("hunter3")).isFalse();
        assertThat(u.checkPassword(null)).isFalse();
    }

    @Test
    void aUserLoadedWithTheRabbitMqExampleHashAcceptsTest12() throws ConfigException {
        UserConfig u = parse("""
                users:
                  - name: rabbit
                    password_hash: kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR
                """).user("rabbit").orElseThrow();

        assertThat(u.checkPassword("test12")).isTrue();
        assertThat(u.checkPassword("guest")).isFalse();
    }

    @Test
    void aUserWithNoCredentialsAcceptsNothing() {
        assertThat(user(Optional.empty(), Optional.empty()).checkPassword("")).isFalse();
    }

    @Test
    void printingAUserDoesNotRevealItsSecrets() {
        String hash = PasswordHash.create("hunter2");

        assertThat(user(Optional.of("hunter2"), Optional.empty()).toString()).doesNotContain("hunter2");
        assertThat(user(Optional.empty(), Optional.of(hash)).toString()).doesNotContain(hash);
    }
}
