package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a server keeps to check SCRAM logins (RFC 5802 section 3): salt, iteration count, {@code StoredKey} and
 * {@code ServerKey}, never the SaltedPassword, so that reading it does not let anyone log in. Written as RFC 5803
 * writes it (and PostgreSQL stores it): {@code SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY}, base64 with
 * padding. It is also a password hash: a password is checked by deriving its StoredKey with the same salt and count.
 *
 * <p>A user with a plain {@code password} in the file has no stored secret: one is derived in memory the first time a
 * SCRAM login asks, with a salt made from a key random per process, and remembered (at most
 * {@value #MAX_DERIVED} of them).
 */
public record ScramSecret(ScramMechanism mechanism, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    /** RFC 7677 section 4: at least 4096. Clients compute it on every login, so it is also the default. */
    public static final int MIN_ITERATIONS = 4096;
    public static final int DEFAULT_ITERATIONS = MIN_ITERATIONS;
    static final int SALT_BYTES = 16;
    private static final int MAX_DERIVED = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] SALT_KEY = RANDOM.generateSeed(32);
    private static final Map<String, ScramSecret> DERIVED = new ConcurrentHashMap<>();

    /**
     * The secret of {@code password} with a given salt (tests, and what {@link #create} writes). The password is
     * SASLprep-normalized first, as SCRAM's {@code Hi(Normalize(password), salt, i)} says (RFC 5802 section 3); a
     * password SASLprep prohibits is salted as it is.
     */
    public static ScramSecret derive(ScramMechanism m, String password, byte[] salt, int iterations) {
        String prepared = password == null ? null : SaslPrep.prepare(password);
        byte[] salted = m.hi(prepared != null ? prepared : password, salt, iterations);
        byte[] storedKey = m.hash(m.hmac(salted, "Client Key"));
        byte[] serverKey = m.hmac(salted, "Server Key");
        Arrays.fill(salted, (byte) 0);
        return new ScramSecret(m, iterations, salt.clone(), storedKey, serverKey);
    }

    /** A new secret for {@code password} with a random salt, in its written form (for {@code password_hash}). */
    public static String create(ScramMechanism m, String password, int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + MIN_ITERATIONS + ".."
                    + PasswordHash.MAX_ITERATIONS);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return derive(m, password, salt, iterations).encoded();
    }

    /** Whether {@code text} claims to be a SCRAM secret (it may still be malformed: {@link #parse}). */
    static boolean looksLikeOne(String text) {
        return text.startsWith("SCRAM-SHA-");
    }

    /** The secret written in {@code text}, or null when it is not one of a known mechanism. */
    public static ScramSecret parse(String text) {
        int dollar = text.indexOf('$');
        if (dollar < 0) {
            return null;
        }
        ScramMechanism m = ScramMechanism.bySaslName(text.substring(0, dollar)).orElse(null);
        String[] parts = text.substring(dollar + 1).split("\\$", -1);
        if (m == null || parts.length != 2) {
            return null;
        }
        String[] countAndSalt = parts[0].split(":", -1);
        String[] keys = parts[1].split(":", -1);
        if (countAndSalt.length != 2 || keys.length != 2 || countAndSalt[0].isEmpty()
                || countAndSalt[0].length() > 9 || !countAndSalt[0].chars().allMatch(Character::isDigit)) {
            return null;
        }
        int iterations = Integer.parseInt(countAndSalt[0]);
        if (iterations < MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
            return null;
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] salt = b64.decode(countAndSalt[1]);
            byte[] storedKey = b64.decode(keys[0]);
            byte[] serverKey = b64.decode(keys[1]);
            if (salt.length < 8 || storedKey.length != m.keyLength() || serverKey.length != m.keyLength()) {
                return null;
            }
            return new ScramSecret(m, iterations, salt, storedKey, serverKey);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** What {@link #parse} reads. */
    public String encoded() {
        Base64.Encoder b64 = Base64.getEncoder();
        return mechanism.saslName() + "$" + iterations + ":" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
    }

    /** Whether {@code password} is the one this secret was made from; slow (one {@code Hi}). */
    public boolean matches(String password) {
        return MessageDigest.isEqual(storedKey, derive(mechanism, password, salt, iterations).storedKey());
    }

    /**
     * The secret a SCRAM login with {@code m} checks {@code user} against: its {@code password_hash} when that is a
     * secret of {@code m}, or one derived from its plain {@code password}. None for any other hash: a PBKDF2 hash
     * would serve as SCRAM-SHA-512's SaltedPassword, but then anyone who read the hash could log in with it, which
     * is what hashing is there to prevent. Completes at once unless a secret must be derived; then on the password
     * check pool, never on the caller's thread.
     */
    public static CompletableFuture<Optional<ScramSecret>> of(UserConfig user, ScramMechanism m) {
        if (user.passwordHash().isPresent()) {
            ScramSecret s = parse(user.passwordHash().get());
            return CompletableFuture.completedFuture(Optional.ofNullable(s).filter(x -> x.mechanism() == m));
        }
        if (user.password().isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String password = user.password().get();
        String key = m.saslName() + ":" + PasswordHash.memoKey(user.name(), password);
        ScramSecret known = DERIVED.get(key);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        return PasswordHash.onCheckPool(() -> {
            byte[] salt = Arrays.copyOf(m.hmac(SALT_KEY, user.name().getBytes(StandardCharsets.UTF_8)), SALT_BYTES);
            ScramSecret derived = derive(m, password, salt, DEFAULT_ITERATIONS);
            if (DERIVED.size() >= MAX_DERIVED) {
                DERIVED.clear(); // bounded; the next logins derive once more
            }
            DERIVED.put(key, derived);
            return Optional.of(derived);
        });
    }

    // Never print the keys.
    @Override
    public String toString() {
        return "ScramSecret[" + mechanism.saslName() + ", i=" + iterations + "]";
    }
}
