package dev.junction.mqtt;

import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The server's side of one SCRAM exchange (RFC 5802 section 5, with the hashes of RFC 7677): the client-first
 * message is read by {@link #clientFirst}, {@link #serverFirst} answers it with the combined nonce, salt and
 * iteration count, and {@link #finish} checks the client's proof and gives the server-final message that proves the
 * server knew the secret too. No channel binding: a client asking for it ({@code p=}) is refused, one that could
 * have used it but thinks the server cannot ({@code y}) is accepted, as RFC 5802 section 6 allows when the server
 * offers no -PLUS mechanism. Passwords are not SASLprep-normalized (see {@link ScramMechanism#hi}).
 *
 * <p>An unknown user gets a made-up salt derived from the name and a secret nobody's proof can match, so the first
 * answer does not tell which names exist (RFC 5802 section 9). Pure computation on the caller's thread: SCRAM's
 * server side is a few HMACs, the slow {@code Hi} is the client's.
 */
final class ScramExchange {
    /** A SCRAM message that breaks the syntax of RFC 5802 section 7; the exchange fails. */
    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why);
        }
    }

    /** The client-first message: its GS2 header (echoed in the final message) and its bare part. */
    record ClientFirst(String gs2Header, String bare, String userName, String clientNonce) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] DECOY_KEY = RANDOM.generateSeed(32);
    private static final int NONCE_BYTES = 18;

    private final ScramMechanism mechanism;
    private final ClientFirst first;
    private final ScramSecret secret;
    private final String serverFirst;
    private final String nonce;

    /**
     * {@code secret}: the user's, or null for an unknown user (then the exchange fails at {@link #finish});
     * {@code serverNonce}: printable characters other than {@code ,}, null for a random one.
     */
    ScramExchange(ScramMechanism mechanism, ClientFirst first, ScramSecret secret, String serverNonce) {
        this.mechanism = mechanism;
        this.first = first;
        this.secret = secret != null ? secret : decoy(mechanism, first.userName());
        this.nonce = first.clientNonce() + (serverNonce != null ? serverNonce : randomNonce());
        this.serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(this.secret.salt()) + ",i="
                + this.secret.iterations();
    }

    /** Reads {@code gs2-header client-first-message-bare} (RFC 5802 section 7). */
    static ClientFirst clientFirst(byte[] data) throws Malformed {
        String text = utf8(data);
        String[] parts = text.split(",", 3);
        if (parts.length < 3) {
            throw new Malformed("client-first-message needs a GS2 header and a bare part");
        }
        if (parts[0].startsWith("p=")) {
            throw new Malformed("channel binding is not supported");
        }
        if (!parts[0].equals("n") && !parts[0].equals("y")) {
            throw new Malformed("unknown channel binding flag '" + parts[0] + "'");
        }
        String bare = parts[2];
        if (bare.startsWith("m=")) {
            throw new Malformed("mandatory extensions are not supported");
        }
        String[] attrs = bare.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=") || attrs[1].length() < 3) {
            throw new Malformed("client-first-message-bare must begin with n=<user>,r=<nonce>");
        }
        for (int i = 2; i < attrs.length; i++) {
            if (attrs[i].length() < 2 || attrs[i].charAt(1) != '=' || !Character.isLetter(attrs[i].charAt(0))) {
                throw new Malformed("an extension must be written as <letter>=<value>");
            }
        }
        String user = saslName(attrs[0].substring(2));
        String authzid = parts[1].isEmpty() ? null : parts[1].startsWith("a=") ? saslName(parts[1].substring(2)) : "";
        if (authzid != null && !authzid.equals(user)) {
            // Acting as another identity is not offered: the authorization identity, if any, is the user itself.
            throw new Malformed("authorization identity differs from the user name");
        }
        String clientNonce = attrs[1].substring(2);
        if (!printable(clientNonce)) {
            throw new Malformed("the client nonce must be printable characters other than ','");
        }
        return new ClientFirst(parts[0] + "," + parts[1] + ",", bare, user, clientNonce);
    }

    /** The server-first message: {@code r=<client nonce><server nonce>,s=<salt>,i=<iterations>}. */
    byte[] serverFirst() {
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the client-final message {@code c=<gs2 header>,r=<nonce>[,...],p=<proof>}: the server-final message
     * {@code v=<ServerSignature>} when the proof is right, null when it is wrong (or the user unknown).
     */
    byte[] finish(byte[] data) throws Malformed {
        String text = utf8(data);
        int proofAt = text.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new Malformed("client-final-message without a proof");
        }
        String withoutProof = text.substring(0, proofAt);
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
            throw new Malformed("client-final-message must begin with c=<binding>,r=<nonce>");
        }
        byte[] proof;
        byte[] binding;
        try {
            binding = Base64.getDecoder().decode(attrs[0].substring(2));
            proof = Base64.getDecoder().decode(text.substring(proofAt + 3));
        } catch (IllegalArgumentException e) {
            throw new Malformed("channel binding or proof is not base64");
        }
        if (!Arrays.equals(binding, first.gs2Header().getBytes(StandardCharsets.UTF_8))) {
            throw new Malformed("the channel binding does not repeat the GS2 header");
        }
        if (!attrs[1].substring(2).equals(nonce)) {
            throw new Malformed("the nonce is not the one the server sent");
        }
        if (proof.length != mechanism.keyLength()) {
            return null;
        }
        byte[] authMessage = (first.bare() + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = mechanism.hmac(secret.storedKey(), authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!MessageDigest.isEqual(mechanism.hash(clientKey), secret.storedKey())) {
            return null;
        }
        byte[] serverSignature = mechanism.hmac(secret.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    String userName() {
        return first.userName();
    }

    /** A secret for a name with no user: the salt stable per name, the keys random, so no proof matches. */
    private static ScramSecret decoy(ScramMechanism m, String userName) {
        byte[] salt = Arrays.copyOf(m.hmac(DECOY_KEY, userName), 16);
        byte[] storedKey = new byte[m.keyLength()];
        byte[] serverKey = new byte[m.keyLength()];
        RANDOM.nextBytes(storedKey);
        RANDOM.nextBytes(serverKey);
        return new ScramSecret(m, ScramSecret.DEFAULT_ITERATIONS, salt, storedKey, serverKey);
    }

    private static String randomNonce() {
        byte[] bytes = new byte[NONCE_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes); // base64 has no ','
    }

    /** RFC 5802 saslname: ',' is written =2C and '=' =3D; any other '=' is malformed. */
    private static String saslName(String raw) throws Malformed {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (ch != '=') {
                out.append(ch);
            } else if (raw.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (raw.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                throw new Malformed("'=' in a user name must be =2C or =3D");
            }
        }
        if (out.isEmpty()) {
            throw new Malformed("empty user name");
        }
        return out.toString();
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E && ch != ',');
    }

    private static String utf8(byte[] data) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Malformed("not UTF-8");
        }
    }
}
