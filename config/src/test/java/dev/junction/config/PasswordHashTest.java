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
    void aCreatedHashIsPbkdf2AndVerifiesItsPasswordAndNoOther() {
        String hash = PasswordHash.create("s3cret", 1000);

        assertThat(hash).startsWith("$pbkdf2-sha512$i=1000$");
        assertThat(PasswordHash.verify(hash, "s3cret")).isTrue();
        assertThat(PasswordHash.verify(hash, "s3cret")).as("again, from the remembered check").isTrue();
        assertThat(PasswordHash.verify(hash, "s3cret ")).isFalse();
        assertThat(PasswordHash.verify(hash, "")).isFalse();
        String[] parts = hash.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[3])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(64);
    }

    @Test
    void thePbkdf2ValueIsRfc8018WithTheRecordedSaltAndIterations() throws Exception {
        String hash = PasswordHash.create("pässwort", 1234);
        String[] parts = hash.split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[3]);
        byte[] expected = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(
                new javax.crypto.spec.PBEKeySpec("pässwort".toCharArray(), salt, 1234, 512)).getEncoded();

        assertThat(parts[2]).isEqualTo("i=1234");
        assertThat(Base64.getDecoder().decode(parts[4])).isEqualTo(expected);
    }

    @Test
    void defaultHashesUseTheDefaultIterationCount() {
        assertThat(PasswordHash.create("x")).startsWith("$pbkdf2-sha512$i=" + PasswordHash.DEFAULT_ITERATIONS + "$");
    }

    @Test
    void rabbitMqSaltedSha512HashesVerify() throws Exception {
        // rabbit_password_hashing_sha512: base64(4-byte salt ++ SHA-512(salt ++ utf8(password))).
        byte[] salt = {1, 2, 3, 4};
        java.security.MessageDigest sha512 = java.security.MessageDigest.getInstance("SHA-512");
        sha512.update(salt);
        byte[] digest = sha512.digest("test12".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] raw = new byte[68];
        System.arraycopy(salt, 0, raw, 0, 4);
        System.arraycopy(digest, 0, raw, 4, 64);
        String hash = Base64.getEncoder().encodeToString(raw);

        assertThat(PasswordHash.verify(hash, "test12")).isTrue();
        assertThat(PasswordHash.verify(hash, "test13")).isFalse();
        assertThat(PasswordHash.problem(hash)).isNull();
    }

    @Test
    void malformedPbkdf2ValuesAreRejectedWithoutThrowing() {
        String good = PasswordHash.create("x", 1000);
        assertThat(PasswordHash.verify(good.replace("i=1000", "i=999"), "x")).isFalse();
        assertThat(PasswordHash.verify(good.replace("i=1000", "i=abc"), "x")).isFalse();
        assertThat(PasswordHash.verify("$pbkdf2-sha512$i=1000$$", "x")).isFalse();
        assertThat(PasswordHash.verify("$pbkdf2-sha256$i=1000$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "x")).isFalse();
        assertThat(PasswordHash.problem("$pbkdf2-sha512$i=1000$!!$!!")).contains("not a valid $pbkdf2-sha512$");
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

    @Test
    void prepareOfAFastFormatIsDoneAtOnce() {
        assertThat(PasswordHash.prepare(RABBITMQ_EXAMPLE, "test12")).isDone();
    }

    @Test
    void preparedPbkdf2OutcomesAreRememberedForVerify() throws Exception {
        String hash = PasswordHash.create("pw", 1000);
        PasswordHash.prepare(hash, "pw").get();
        PasswordHash.prepare(hash, "other").get();

        // Both outcomes are known now, so preparing again has nothing left to compute.
        assertThat(PasswordHash.prepare(hash, "pw")).isDone();
        assertThat(PasswordHash.prepare(hash, "other")).isDone();
        assertThat(PasswordHash.verify(hash, "pw")).isTrue();
        assertThat(PasswordHash.verify(hash, "other")).isFalse();
    }
}
