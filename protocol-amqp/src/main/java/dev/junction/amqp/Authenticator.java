package dev.junction.amqp;

import dev.junction.amqp.codec.FieldTables;
import dev.junction.config.UserConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SASL PLAIN and AMQPLAIN against the configured users, with RabbitMQ's loopback-only rule for users. */
final class Authenticator {
    static final String MECHANISMS = "PLAIN AMQPLAIN";

    private final List<UserConfig> users;

    Authenticator(List<UserConfig> users) {
        this.users = users;
    }

    /** The authenticated user, or empty with the reason in {@code why[0]}. */
    Optional<UserConfig> authenticate(String mechanism, byte[] response, InetAddress peer, String[] why) {
        String[] credentials = switch (mechanism) {
            case "PLAIN" -> plain(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
        if (credentials == null) {
            why[0] = "unsupported or malformed " + mechanism + " response";
            return Optional.empty();
        }
        UserConfig user = users.stream().filter(u -> u.name().equals(credentials[0])).findFirst().orElse(null);
        if (user == null || !user.checkPassword(credentials[1])) {
            why[0] = "invalid credentials for user '" + credentials[0] + "'";
            return Optional.empty();
        }
        if (user.loopbackOnly() && (peer == null || !peer.isLoopbackAddress())) {
            why[0] = "user '" + user.name() + "' can only connect via localhost";
            return Optional.empty();
        }
        return Optional.of(user);
    }

    /** The user name a response claims, before any check (the login throttle's key); null when unreadable. */
    static String claimedUser(String mechanism, byte[] response) {
        String[] credentials = switch (mechanism) {
            case "PLAIN" -> plain(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
        return credentials == null ? null : credentials[0];
    }

    /** RFC 4616: [authzid] NUL authcid NUL passwd. */
    private static String[] plain(byte[] response) {
        String s = new String(response, StandardCharsets.UTF_8);
        int first = s.indexOf('\0');
        int second = first < 0 ? -1 : s.indexOf('\0', first + 1);
        if (second < 0) {
            return null;
        }
        return new String[] {s.substring(first + 1, second), s.substring(second + 1)};
    }

    /** AMQPLAIN: a field table without its length prefix, holding LOGIN and PASSWORD. */
    private static String[] amqplain(byte[] response) {
        ByteBuf buf = Unpooled.buffer(response.length + 4);
        try {
            buf.writeInt(response.length).writeBytes(response);
            Map<String, Object> table = FieldTables.read(buf);
            Object login = table.get("LOGIN");
            Object password = table.get("PASSWORD");
            if (login == null || password == null) {
                return null;
            }
            return new String[] {text(login), text(password)};
        } catch (RuntimeException e) {
            return null;
        } finally {
            buf.release();
        }
    }

    private static String text(Object v) {
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
    }
}
