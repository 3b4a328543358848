package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM mechanisms Junction speaks (RFC 5802 with the hash of RFC 7677 and its SHA-512 sibling), each naming its
 * three primitives: {@code H} (a digest), {@code HMAC} and {@code Hi} (PBKDF2 with that HMAC and a key as long as the
 * digest, RFC 5802 section 2.2). All three are the JDK's.
 */
public enum ScramMechanism {
    SCRAM_SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", "PBKDF2WithHmacSHA256", 32),
    SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", "PBKDF2WithHmacSHA512", 64);

    private final String saslName;
    private final String digest;
    private final String hmac;
    private final String pbkdf2;
    private final int length;

    ScramMechanism(String saslName, String digest, String hmac, String pbkdf2, int length) {
        this.saslName = saslName;
        this.digest = digest;
        this.hmac = hmac;
        this.pbkdf2 = pbkdf2;
        this.length = length;
    }

    /** The SASL mechanism name, as a client puts it in the MQTT 5 Authentication Method. */
    public String saslName() {
        return saslName;
    }

    /** The mechanism with this SASL name (exact, as SASL names are upper case), if Junction speaks it. */
    public static Optional<ScramMechanism> bySaslName(String name) {
        for (ScramMechanism m : values()) {
            if (m.saslName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Length in bytes of the digest, and so of every key this mechanism derives. */
    public int keyLength() {
        return length;
    }

    /** {@code H(data)}. */
    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(digest).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides " + digest, e);
        }
    }

    /** {@code HMAC(key, data)}. */
    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides " + hmac, e);
        }
    }

    /** {@code HMAC(key, text)} with the text's UTF-8 bytes. */
    public byte[] hmac(byte[] key, String text) {
        return hmac(key, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code Hi(password, salt, i)}: the SaltedPassword. The JDK's PBKDF2 takes the password's characters as UTF-8,
     * which is what SCRAM asks for once the password is normalized; passwords are not SASLprep-normalized here
     * (see docs/security.md), so a client must send the same characters it was given.
     */
    public byte[] hi(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, length * 8);
        try {
            return SecretKeyFactory.getInstance(pbkdf2).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides " + pbkdf2, e);
        } finally {
            spec.clearPassword();
        }
    }
}
