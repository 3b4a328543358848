package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Password hashes. New hashes are PBKDF2-HMAC-SHA512 (RFC 8018), slow on purpose, written as
 * {@code $pbkdf2-sha512$i=ITERATIONS$SALT$HASH} with a 16-byte random salt and a 64-byte derived key, both in
 * standard base64 without padding. RabbitMQ's formats stay accepted so definitions can move between the two
 * brokers: {@code base64(salt ++ SHA-256(salt ++ utf8(password)))} ({@code rabbit_password_hashing_sha256}, the
 * default) and the same with SHA-512 ({@code rabbit_password_hashing_sha512}), each with a 4-byte salt; the decoded
 * length tells them apart. A SCRAM secret ({@link ScramSecret}, {@code SCRAM-SHA-256$...}) is accepted too: it is
 * checked like a PBKDF2 hash and also serves MQTT 5 SCRAM logins.
 *
 * <p>A PBKDF2 check takes tens to hundreds of milliseconds by design, too long for a network event loop. Rules:
 * {@link #prepare} runs the check on a small pool of its own and remembers the outcome, keyed by a MAC of hash and
 * password under a key that is random per process and never leaves memory; {@link #verify} answers from that memory
 * when it can and computes otherwise. So adapters call {@code prepare} off their event loop and {@code verify} on
 * it. A password not tried before always pays the full cost; at most {@value #MAX_REMEMBERED} outcomes are kept.
 */
public final class PasswordHash {

    static final int SALT_BYTES = 4;
    static final int DIGEST_BYTES = 32;
    /** Length of a decoded RabbitMQ SHA-256 hash: salt plus digest. */
    static final int HASH_BYTES = SALT_BYTES + DIGEST_BYTES;
    /** Length of a decoded RabbitMQ SHA-512 hash: salt plus digest. */
    static final int SHA512_HASH_BYTES = SALT_BYTES + 64;

    static final String PBKDF2_PREFIX = "$pbkdf2-sha512$i=";
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA512. */
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final int MIN_ITERATIONS = 1_000;
    public static final int MAX_ITERATIONS = 10_000_000;
    static final int PBKDF2_SALT_BYTES = 16;
    static final int PBKDF2_KEY_BYTES = 64;
    private static final int MAX_REMEMBERED = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MEMO_KEY = RANDOM.generateSeed(32);
    private static final Map<String, Boolean> REMEMBERED = new ConcurrentHashMap<>();
    private static final ExecutorService CHECKS = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "junction-password-check");
        t.setDaemon(true);
        return t;
    });

    private PasswordHash() {
    }

    /** A new PBKDF2-HMAC-SHA512 hash with {@link #DEFAULT_ITERATIONS}. */
    public static String create(String password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    public static String create(String password, int iterations) {
        Objects.requireNonNull(password, "password");
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
        }
        byte[] salt = new byte[PBKDF2_SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PBKDF2_PREFIX + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations, PBKDF2_KEY_BYTES));
    }

    /** RabbitMQ's default format with a given salt (tests and interoperability). */
    static String create(String password, byte[] salt) {
        byte[] digest = digest("SHA-256", salt, password);
        byte[] out = new byte[salt.length + digest.length];
        System.arraycopy(salt, 0, out, 0, salt.length);
        System.arraycopy(digest, 0, out, salt.length, digest.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /**
     * Completes once {@link #verify} can answer for this hash and password without the slow computation: at once for
     * a fast format or an outcome already known, else after a check on the password-check pool.
     */
    public static CompletableFuture<Void> prepare(String hash, String password) {
        if (hash == null || password == null || !(hash.startsWith("$") || ScramSecret.looksLikeOne(hash))
                || REMEMBERED.containsKey(memoKey(hash, password))) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> verify(hash, password), CHECKS);
    }

    /** False for a wrong password and for a hash in no known format; never throws. */
    public static boolean verify(String hash, String password) {
        if (hash == null || password == null) {
            return false;
        }
        if (hash.startsWith("$")) {
            return verifyPbkdf2(hash, password);
        }
        if (ScramSecret.looksLikeOne(hash)) {
            ScramSecret secret = ScramSecret.parse(hash);
            return secret != null && remembered(hash, password, () -> secret.matches(password));
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(hash);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        String algorithm = switch (decoded.length) {
            case HASH_BYTES -> "SHA-256";
            case SHA512_HASH_BYTES -> "SHA-512";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        byte[] salt = new byte[SALT_BYTES];
        byte[] expected = new byte[decoded.length - SALT_BYTES];
        System.arraycopy(decoded, 0, salt, 0, SALT_BYTES);
        System.arraycopy(decoded, SALT_BYTES, expected, 0, expected.length);
        return MessageDigest.isEqual(expected, digest(algorithm, salt, password));
    }

    /**
     * Why {@code hash} can never verify, or null when it is in a known format; lets the loader refuse a bad hash at
     * start rather than at every login.
     */
    static String problem(String hash) {
        if (hash.startsWith("$")) {
            return parsePbkdf2(hash) == null ? "not a valid $pbkdf2-sha512$i=ITERATIONS$SALT$HASH value (iterations "
                    + MIN_ITERATIONS + ".." + MAX_ITERATIONS + ", salt and hash in base64)" : null;
        }
        if (ScramSecret.looksLikeOne(hash)) {
            return ScramSecret.parse(hash) == null ? "not a valid SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY"
                    + " (or SCRAM-SHA-512$...) value (iterations " + ScramSecret.MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + ", salt and keys in base64)" : null;
        }
        int length = decodedLength(hash);
        if (length < 0) {
            return "not valid base64 (and not a $pbkdf2-sha512$ hash)";
        }
        if (length != HASH_BYTES && length != SHA512_HASH_BYTES) {
            return "decodes to " + length + " bytes; expected " + HASH_BYTES + " (4-byte salt + SHA-256) or "
                    + SHA512_HASH_BYTES + " (4-byte salt + SHA-512), RabbitMQ's formats, or a $pbkdf2-sha512$ hash"
                    + " made by hash-password";
        }
        return null;
    }

    /** Decoded length of a hash, or -1 when it is not base64. */
    static int decodedLength(String hash) {
        try {
            return Base64.getDecoder().decode(hash).length;
        } catch (IllegalArgumentException notBase64) {
            return -1;
        }
    }

    static byte[] sha256(byte[] bytes) {
        return hash("SHA-256", bytes);
    }

    private record Pbkdf2(int iterations, byte[] salt, byte[] key) {
    }

    private static Pbkdf2 parsePbkdf2(String hash) {
        if (!hash.startsWith(PBKDF2_PREFIX)) {
            return null;
        }
        String[] parts = hash.substring(PBKDF2_PREFIX.length()).split("\\$", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[0].length() > 9 || !parts[0].chars().allMatch(
                Character::isDigit)) {
            return null;
        }
        int iterations = Integer.parseInt(parts[0]);
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            return null;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[1]);
            byte[] key = Base64.getDecoder().decode(parts[2]);
            if (salt.length < 8 || key.length < 16 || key.length > 128) {
                return null;
            }
            return new Pbkdf2(iterations, salt, key);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static boolean verifyPbkdf2(String hash, String password) {
        Pbkdf2 p = parsePbkdf2(hash);
        if (p == null) {
            return false;
        }
        return remembered(hash, password,
                () -> MessageDigest.isEqual(p.key(), pbkdf2(password, p.salt(), p.iterations(), p.key().length)));
    }

    /** The outcome of a slow check of {@code password} against {@code hash}: remembered, or computed now. */
    private static boolean remembered(String hash, String password, java.util.function.BooleanSupplier check) {
        String key = memoKey(hash, password);
        Boolean known = REMEMBERED.get(key);
        if (known != null) {
            return known;
        }
        boolean ok = check.getAsBoolean();
        if (REMEMBERED.size() >= MAX_REMEMBERED) {
            REMEMBERED.clear(); // bounded; the next logins pay the full cost once more
        }
        REMEMBERED.put(key, ok);
        return ok;
    }

    /** Runs a slow computation (a PBKDF2 derivation) on the password-check pool, off the caller's thread. */
    static <T> CompletableFuture<T> onCheckPool(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, CHECKS);
    }

    static String memoKey(String hash, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(MEMO_KEY, "HmacSHA256"));
            mac.update(hash.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime must provide HmacSHA256", e);
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations, int keyBytes) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, keyBytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 17 runtime provides PBKDF2WithHmacSHA512", e);
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] digest(String algorithm, byte[] salt, String password) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[salt.length + pw.length];
        System.arraycopy(salt, 0, input, 0, salt.length);
        System.arraycopy(pw, 0, input, salt.length, pw.length);
        return hash(algorithm, input);
    }

    private static byte[] hash(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide " + algorithm, e);
        }
    }
}
