package dev.junction.routing;

import java.security.SecureRandom;
import java.util.Base64;

/** Names the server makes up: a queue declared with an empty name gets {@code amq.gen-} and 128 random bits. */
final class GeneratedNames {
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedNames() {
    }

    static String queue() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "amq.gen-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
