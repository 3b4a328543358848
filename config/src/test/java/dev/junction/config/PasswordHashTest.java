package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class PasswordHashTest {

    // The example from RabbitMQ's "Credentials and Passwords" guide: password test12, salt 0x908DC60A.
    private static final String RABBITMQ_EXAMPLE = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR";

    @Test
    void theRabbitMqDocumentationExampleVerifies() {
        assertThat(PasswordHash.verify(RABBITMQ_EXAMPLE, "test12")).isTrue();
        assertThat(PasswordHash.verify(RABBITMQ_EXAMPLE, "test13")).isFalse();
    }

    @Test
    void hashingWithTheExampleSaltReproducesTheRabbitMqExample() {
        byte[] salt = {(byte) 0x90, (byte) 0x8D, (byte) 0xC6, (byte) 0x0A};

        assertThat(PasswordHash.create("test12", salt)).isEqualTo(RABBITMQ_EXAMPLE);
    }

    @Test
    void aCreatedHashVerifiesItsPasswordAndNoOther() {
        String hash = PasswordHash.create("s3cret");

        assertThat(PasswordHash.verify(hash, "s3cret")).isTrue();
        assertThat(PasswordHash.verify(hash, "s3cret ")).isFalse();
        assertThat(PasswordHash.verify(hash, "")).isFalse();
        assertThat(Base64.getDecoder().decode(hash)).hasSize(36);
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8() {
        String hash = PasswordHash.create("pässwörd-🔑");

        assertThat(PasswordHash.verify(hash, "pässwörd-🔑")).isTrue();
        assertThat(PasswordHash.verify(hash, "passwort-🔑")).isFalse();
    }

    @Test
    void eachHashGetsAFreshSalt() {
        assertThat(PasswordHash.create("same")).isNotEqualTo(PasswordHash.create("same"));
    }

    @Test
    void malformedHashesAreRejectedWithoutThrowing() {
        assertThat(PasswordHash.verify("not base64!", "x")).isFalse();
        assertThat(PasswordHash.verify("AAAAAA==", "x")).isFalse();
        assertThat(PasswordHash.verify("", "")).isFalse();
        assertThat(PasswordHash.verify(null, "x")).isFalse();
        assertThat(PasswordHash.verify(RABBITMQ_EXAMPLE, null)).isFalse();
    }
}
