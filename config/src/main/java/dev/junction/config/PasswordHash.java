package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Password hashes in RabbitMQ's default format ({@code rabbit_password_hashing_sha256}):
 * {@code base64(salt ++ SHA-256(salt ++ utf8(password)))} with a 4-byte random salt, so hashes can be
 * moved between RabbitMQ definitions and Junction configs.
 */
public final class PasswordHash {

    static final int SALT_BYTES = 4;
    static final int DIGEST_BYTES = 32;
    /** Length of a decoded hash: salt plus SHA-256 digest. */
    static final int HASH_BYTES = SALT_BYTES + DIGEST_BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    public static String create(String password) {
        Objects.requireNonNull(password, "password");
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return create(password, salt);
    }

    static String create(String password, byte[] salt) {
        byte[] digest = digest(salt, password);
        byte[] out = new byte[salt.length + digest.length];
        System.arraycopy(salt, 0, out, 0, salt.length);
        System.arraycopy(digest, 0, out, salt.length, digest.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /** False for a wrong password and for a hash that is not in this format; never throws. */
    public static boolean verify(String hash, String password) {
        if (hash == null || password == null) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(hash);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        if (decoded.length != HASH_BYTES) {
            return false;
        }
        byte[] salt = new byte[SALT_BYTES];
        byte[] expected = new byte[DIGEST_BYTES];
        System.arraycopy(decoded, 0, salt, 0, SALT_BYTES);
        System.arraycopy(decoded, SALT_BYTES, expected, 0, DIGEST_BYTES);
        return MessageDigest.isEqual(expected, digest(salt, password));
    }

    /** Decoded length of a hash, or -1 when it is not base64; lets the loader explain a bad hash. */
    static int decodedLength(String hash) {
        try {
            return Base64.getDecoder().decode(hash).length;
        } catch (IllegalArgumentException notBase64) {
            return -1;
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }

    private static byte[] digest(byte[] salt, String password) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[salt.length + pw.length];
        System.arraycopy(salt, 0, input, 0, salt.length);
        System.arraycopy(pw, 0, input, salt.length, pw.length);
        return sha256(input);
    }
}
