package dev.junction.routing.auth;

import java.nio.charset.StandardCharsets;

/**
 * The SASL PLAIN response (RFC 4616 section 2: {@code [authzid] NUL authcid NUL passwd}), which AMQP 0-9-1's
 * {@code connection.start-ok} and AMQP 1.0's {@code sasl-init} carry alike; one reading for both adapters. The
 * authorization identity is ignored, as RabbitMQ does: a login acts as its authentication identity only.
 */
public final class SaslPlain {
    private SaslPlain() {
    }

    /** {@code {user, password}}, or null when {@code response} lacks the two NUL separators. */
    public static String[] credentials(byte[] response) {
        String s = new String(response, StandardCharsets.UTF_8);
        int first = s.indexOf('\0');
        int second = first < 0 ? -1 : s.indexOf('\0', first + 1);
        if (second < 0) {
            return null;
        }
        return new String[] {s.substring(first + 1, second), s.substring(second + 1)};
    }
}
