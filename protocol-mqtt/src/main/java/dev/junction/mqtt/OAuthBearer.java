package dev.junction.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The client's initial response of SASL OAUTHBEARER (RFC 7628 section 3.1), as the Authentication Data of an MQTT 5
 * CONNECT or AUTH: {@code gs2-header %x01 *(key "=" value %x01) %x01}, e.g.
 * {@code n,,\x01auth=Bearer <token>\x01\x01}. The {@code auth} pair carries the token as an HTTP Authorization
 * value with the {@code Bearer} scheme (RFC 6750 section 2.1; the scheme's name is case-insensitive); other pairs
 * ({@code host}, {@code port}) are read and ignored. No channel binding: a {@code p=} flag is refused, as with SCRAM.
 */
final class OAuthBearer {
    /** A message that breaks RFC 7628's syntax. */
    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why);
        }
    }

    /** What the client sent: the token, and the authorization identity of the GS2 header (null when none). */
    record ClientResponse(String token, String authorizationId) {
    }

    private static final char SEPARATOR = '\u0001';
    private static final String BEARER = "bearer ";

    private OAuthBearer() {
    }

    static ClientResponse read(byte[] data) throws Malformed {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("not UTF-8");
        }
        int first = text.indexOf(SEPARATOR);
        if (first < 0 || !text.endsWith("" + SEPARATOR + SEPARATOR) || text.length() < first + 3) {
            throw new Malformed("a GS2 header and key/value pairs, each ended by %x01, and a final %x01");
        }
        String authzid = gs2AuthorizationId(text.substring(0, first));
        String token = null;
        // Between the header's %x01 and the final one: the pairs, each ended by its %x01.
        String pairs = text.substring(first + 1, text.length() - 2);
        for (String pair : pairs.split("" + SEPARATOR, -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new Malformed("a pair must be written key=value");
            }
            if (pair.substring(0, eq).equals("auth")) {
                String value = pair.substring(eq + 1);
                if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
                    throw new Malformed("auth must be 'Bearer <token>'");
                }
                token = value.substring(BEARER.length()).strip();
            }
        }
        if (token == null || token.isEmpty()) {
            throw new Malformed("no auth=Bearer <token> pair");
        }
        return new ClientResponse(token, authzid);
    }

    /** {@code gs2-cb-flag "," [a=saslname] ","}: the authorization identity, or null. */
    private static String gs2AuthorizationId(String header) throws Malformed {
        String[] parts = header.split(",", -1);
        if (parts.length != 3 || !parts[2].isEmpty()) {
            throw new Malformed("the GS2 header must be <flag>,[a=<user>],");
        }
        if (parts[0].startsWith("p=")) {
            throw new Malformed("channel binding is not supported");
        }
        if (!parts[0].equals("n") && !parts[0].equals("y")) {
            throw new Malformed("unknown channel binding flag '" + parts[0] + "'");
        }
        if (parts[1].isEmpty()) {
            return null;
        }
        if (!parts[1].startsWith("a=") || parts[1].length() == 2) {
            throw new Malformed("the authorization identity must be written a=<user>");
        }
        // RFC 5801 saslname: ',' is written =2C and '=' =3D.
        return parts[1].substring(2).replace("=2C", ",").replace("=3D", "=");
    }
}
