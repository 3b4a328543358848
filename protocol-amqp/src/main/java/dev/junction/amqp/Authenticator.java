package dev.junction.amqp;

import dev.junction.amqp.codec.FieldTables;
import dev.junction.config.UserConfig;
import dev.junction.routing.api.Engine;
import dev.junction.routing.auth.Refusal;
import dev.junction.routing.auth.SaslPlain;
import dev.junction.routing.auth.Users;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.auth.backend.AuthChain;
import dev.junction.routing.auth.backend.InternalBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SASL PLAIN and AMQPLAIN against the configured users, and SASL EXTERNAL (RFC 4422 appendix A) for a client whose
 * verified TLS certificate names a user, with RabbitMQ's loopback-only rule for users: checked against the real
 * remote address of the socket, whatever the mechanism.
 */
final class Authenticator {
    static final String MECHANISMS = "PLAIN AMQPLAIN";
    /** Offered only on a TLS connection whose verified client certificate names a user (RabbitMQ does the same). */
    static final String MECHANISMS_WITH_EXTERNAL = "EXTERNAL PLAIN AMQPLAIN";

    private final List<UserConfig> users;
    /** The broker's user directory, once the broker has loaded it; else {@link #users} is asked. */
    private final Users directory;
    private final AuthChain fallback;

    Authenticator(List<UserConfig> users) {
        this(users, null);
    }

    /**
     * {@code directory}: the broker's users (config file and management API), asked at each login once loaded, so
     * users made, changed or deleted at run time count at once; {@code users} serve an adapter started on its own.
     */
    Authenticator(List<UserConfig> users, Users directory) {
        this.users = users;
        this.directory = directory;
        this.fallback = new AuthChain(List.of(new InternalBackend(users)), Duration.ZERO, 0,
                new SimpleMeterRegistry());
    }

    /**
     * The chain PLAIN and AMQPLAIN logins are checked by: the broker's configured backends ({@code auth.backends}),
     * or, where none were set up (an adapter started on its own), the users this adapter was given. EXTERNAL
     * (certificate identities) is checked against the configured users only ({@link #authenticate}).
     */
    AuthChain chain(Engine engine) {
        return engine.authBackends().map(AuthBackends::chain).orElseGet(() -> fallback);
    }

    private UserConfig find(String name) {
        if (directory != null && directory.loaded()) {
            return directory.find(name).orElse(null);
        }
        return users.stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
    }

    /** {user, password} from a PLAIN or AMQPLAIN response; null when unreadable or another mechanism. */
    static String[] credentials(String mechanism, byte[] response) {
        return switch (mechanism) {
            case "PLAIN" -> SaslPlain.credentials(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
    }

    /**
     * The authenticated user, or empty with the reason in {@code why[0]}. {@code certificateIdentity} is the user
     * name from the connection's verified client certificate, or null.
     */
    Optional<UserConfig> authenticate(String mechanism, byte[] response, InetAddress peer, String certificateIdentity,
                                      String[] why) {
        return authenticate(mechanism, response, peer, certificateIdentity, why, new Refusal[1]);
    }

    /** As above, with the kind of refusal in {@code kind[0]} (the words every protocol logs). */
    Optional<UserConfig> authenticate(String mechanism, byte[] response, InetAddress peer, String certificateIdentity,
                                      String[] why, Refusal[] kind) {
        kind[0] = Refusal.BAD_CREDENTIALS;
        if (mechanism.equals("EXTERNAL")) {
            return external(response, peer, certificateIdentity, why, kind);
        }
        String[] credentials = switch (mechanism) {
            case "PLAIN" -> SaslPlain.credentials(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
        if (credentials == null) {
            why[0] = "unsupported or malformed " + mechanism + " response";
            return Optional.empty();
        }
        UserConfig user = find(credentials[0]);
        if (user == null || !user.checkPassword(credentials[1])) {
            why[0] = "invalid credentials for user '" + credentials[0] + "'";
            return Optional.empty();
        }
        return reachable(user, peer, why, kind);
    }

    /**
     * EXTERNAL: the identity is the certificate's. The response is an optional authorization identity; when the
     * client sends one it must be that same name, since Junction does not let one user act as another.
     */
    private Optional<UserConfig> external(byte[] response, InetAddress peer, String certificateIdentity,
                                          String[] why, Refusal[] kind) {
        if (certificateIdentity == null) {
            why[0] = "EXTERNAL without a verified client certificate identity";
            return Optional.empty();
        }
        String authzid = response == null ? "" : new String(response, StandardCharsets.UTF_8);
        if (!authzid.isEmpty() && !authzid.equals(certificateIdentity)) {
            why[0] = "EXTERNAL authorization identity does not match the certificate's '" + certificateIdentity + "'";
            return Optional.empty();
        }
        UserConfig user = find(certificateIdentity);
        if (user == null) {
            why[0] = "no user '" + certificateIdentity + "' for the client certificate";
            kind[0] = Refusal.NO_CERTIFICATE_USER;
            return Optional.empty();
        }
        return reachable(user, peer, why, kind);
    }

    private static Optional<UserConfig> reachable(UserConfig user, InetAddress peer, String[] why, Refusal[] kind) {
        if (user.loopbackOnly() && (peer == null || !peer.isLoopbackAddress())) {
            why[0] = "user '" + user.name() + "' can only connect via localhost";
            kind[0] = Refusal.LOOPBACK_ONLY;
            return Optional.empty();
        }
        return Optional.of(user);
    }

    /** Completes when {@link #authenticate} can check this response without a slow password hash computation. */
    java.util.concurrent.CompletableFuture<Void> prepare(String mechanism, byte[] response) {
        String[] credentials = switch (mechanism) {
            case "PLAIN" -> SaslPlain.credentials(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
        UserConfig user = credentials == null ? null
                : find(credentials[0]);
        return user == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : user.preparePasswordCheck(credentials[1]);
    }

    /** The user name a response claims, before any check (the login throttle's key); null when unreadable. */
    static String claimedUser(String mechanism, byte[] response) {
        String[] credentials = switch (mechanism) {
            case "PLAIN" -> SaslPlain.credentials(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
        return credentials == null ? null : credentials[0];
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
