package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SCRAM secrets: RFC 7677's example, the written form, and their use as password hashes. */
class ScramSecretTest {
    private static final byte[] RFC7677_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

    @Test
    void theRfc7677ExampleKeysAreDerived() {
        ScramSecret s = ScramSecret.derive(ScramMechanism.SCRAM_SHA_256, "pencil", RFC7677_SALT, 4096);

        // ServerKey and StoredKey of user "user", password "pencil" (RFC 7677 section 3, checked against its
        // ServerSignature and ClientProof in the MQTT module's ScramExchangeTest).
        assertThat(s.encoded()).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        assertThat(ScramSecret.parse(s.encoded()).encoded()).isEqualTo(s.encoded());
        assertThat(s.matches("pencil")).isTrue();
        assertThat(s.matches("pencil ")).isFalse();
    }

    @Test
    void aCreatedSecretIsAPasswordHashForBothMechanisms() {
        for (ScramMechanism m : ScramMechanism.values()) {
            String written = ScramSecret.create(m, "s3cret", ScramSecret.DEFAULT_ITERATIONS);

            assertThat(written).startsWith(m.saslName() + "$4096:");
            assertThat(PasswordHash.problem(written)).isNull();
            assertThat(PasswordHash.verify(written, "s3cret")).isTrue();
            assertThat(PasswordHash.verify(written, "s3cret")).as("again, from the remembered check").isTrue();
            assertThat(PasswordHash.verify(written, "wrong")).isFalse();
            assertThat(PasswordHash.prepare(written, "s3cret").join()).isNull();
        }
    }

    @Test
    void malformedSecretsAreConfigurationErrors() {
        String good = ScramSecret.create(ScramMechanism.SCRAM_SHA_256, "x", 4096);
        String[] bad = {
            "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$a:b",
            good.replace("$4096:", "$4095:"),   // below RFC 7677's minimum
            good.replace("$4096:", "$:"),
            good.substring(0, good.lastIndexOf(':')),
            good.replace("SCRAM-SHA-256", "SCRAM-SHA-512"), // keys of the wrong length
            good + "!",
        };
        for (String b : bad) {
            assertThat(ScramSecret.parse(b)).as(b).isNull();
            assertThat(PasswordHash.problem(b)).as(b).contains("SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY");
            assertThat(PasswordHash.verify(b, "x")).isFalse();
        }
    }

    @Test
    void loginsFindTheSecretOfTheirMechanismOnly() {
        String sha256 = ScramSecret.create(ScramMechanism.SCRAM_SHA_256, "pw", 4096);
        UserConfig stored = user(Optional.empty(), Optional.of(sha256));
        UserConfig plain = user(Optional.of("pw"), Optional.empty());
        UserConfig pbkdf2 = user(Optional.empty(), Optional.of(PasswordHash.create("pw", 1000)));

        assertThat(ScramSecret.of(stored, ScramMechanism.SCRAM_SHA_256).join()).map(ScramSecret::encoded)
                .contains(sha256);
        assertThat(ScramSecret.of(stored, ScramMechanism.SCRAM_SHA_512).join()).isEmpty();
        // A PBKDF2 hash is no SCRAM secret: used as one, it would be as good as the password.
        assertThat(ScramSecret.of(pbkdf2, ScramMechanism.SCRAM_SHA_512).join()).isEmpty();
        for (ScramMechanism m : ScramMechanism.values()) {
            ScramSecret derived = ScramSecret.of(plain, m).join().orElseThrow();
            assertThat(derived.matches("pw")).isTrue();
            assertThat(ScramSecret.of(plain, m).join()).as("remembered").containsSame(derived);
        }
    }

    private static UserConfig user(Optional<String> password, Optional<String> hash) {
        return new UserConfig("u", password, hash, List.of(), false, Map.of(), List.of());
    }
}
