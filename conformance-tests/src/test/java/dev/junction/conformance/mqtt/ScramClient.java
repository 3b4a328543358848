package dev.junction.conformance.mqtt;

import dev.junction.config.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The client's side of one SCRAM exchange (RFC 5802 section 3), written from the RFC for the tests. */
final class ScramClient {
    private final ScramMechanism mechanism;
    private final String password;
    private final String bare;
    private byte[] expectedServerSignature;

    ScramClient(ScramMechanism mechanism, String user, String password) {
        this.mechanism = mechanism;
        this.password = password;
        byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        this.bare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r="
                + Base64.getEncoder().encodeToString(nonce);
    }

    byte[] clientFirst() {
        return ("n,," + bare).getBytes(StandardCharsets.UTF_8);
    }

    /** The client-final message answering {@code serverFirstBytes}: {@code c=biws,r=<nonce>,p=<proof>}. */
    byte[] clientFinal(byte[] serverFirstBytes) {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        String nonce = null;
        byte[] salt = null;
        int iterations = 0;
        for (String attr : serverFirst.split(",")) {
            switch (attr.charAt(0)) {
                case 'r' -> nonce = attr.substring(2);
                case 's' -> salt = Base64.getDecoder().decode(attr.substring(2));
                case 'i' -> iterations = Integer.parseInt(attr.substring(2));
                default -> { }
            }
        }
        if (nonce == null || !nonce.startsWith(bare.substring(bare.indexOf(",r=") + 3))) {
            throw new IllegalStateException("the server's nonce does not extend the client's: " + serverFirst);
        }
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = (bare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = mechanism.hi(password, salt, iterations);
        byte[] clientKey = mechanism.hmac(salted, "Client Key");
        byte[] signature = mechanism.hmac(mechanism.hash(clientKey), authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        expectedServerSignature = mechanism.hmac(mechanism.hmac(salted, "Server Key"), authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code serverFinal} ({@code v=<ServerSignature>}) proves the server knew the secret. */
    boolean serverProved(byte[] serverFinal) {
        String text = new String(serverFinal, StandardCharsets.UTF_8);
        return text.startsWith("v=") && MessageDigest.isEqual(expectedServerSignature,
                Base64.getDecoder().decode(text.substring(2)));
    }
}
