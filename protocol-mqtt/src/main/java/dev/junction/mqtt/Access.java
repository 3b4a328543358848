package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.Engine;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.auth.backend.AuthChain;
import dev.junction.routing.auth.backend.Credentials;
import dev.junction.routing.auth.backend.InternalBackend;
import dev.junction.routing.auth.backend.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Authentication against the configured users, and the vhost permissions an MQTT action needs. Topic rights (the
 * ACL) are the engine's {@code UserRights}, shared with AMQP.
 */
final class Access {
    /** Why a CONNECT was refused; mapped to 3.1.1 and 5 CONNACK codes by the caller. */
    enum Refusal { BAD_CREDENTIALS, NOT_AUTHORIZED }

    /** {@code because}: the refusal in the words both protocols log ({@code dev.junction.routing.auth.Refusal}). */
    record Outcome(UserConfig user, Refusal refusal, dev.junction.routing.auth.Refusal because) {
        Outcome(UserConfig user) {
            this(user, null, null);
        }

        static Outcome refused(dev.junction.routing.auth.Refusal because) {
            return new Outcome(null, because == dev.junction.routing.auth.Refusal.BAD_CREDENTIALS
                    ? Refusal.BAD_CREDENTIALS : Refusal.NOT_AUTHORIZED, because);
        }
    }

    private final MqttConfig config;
    private final List<UserConfig> users;
    private final Engine engine;
    private final AuthChain fallback;

    Access(MqttSettings settings) {
        this(settings, null);
    }

    Access(MqttSettings settings, Engine engine) {
        this.config = settings.mqtt();
        this.users = settings.users();
        this.engine = engine;
        this.fallback = new AuthChain(List.of(new InternalBackend(users)), Duration.ZERO, 0, new SimpleMeterRegistry());
    }

    /** Completes when {@link #authenticate} can check this password without a slow hash computation. */
    java.util.concurrent.CompletableFuture<Void> prepare(String userName, byte[] password) {
        UserConfig user = userName == null || password == null ? null : find(userName).orElse(null);
        return user == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : user.preparePasswordCheck(new String(password, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Asks the auth backends ({@code auth.backends}) about a CONNECT's user name and password, off the event loop
     * when they need to; completed with null when there is nothing to ask (no user name: anonymous; no password on
     * a connection with a certificate identity): {@link #authenticate(String, byte[], Verdict, InetAddress, String)}
     * decides those from the config. Never completes exceptionally.
     */
    CompletableFuture<Verdict> check(String userName, byte[] password, InetAddress remote, String certificateIdentity) {
        return check(userName, password, remote, certificateIdentity, null);
    }

    /** As above; {@code clientId} lets the HTTP backend's resource_path be asked about the session queue. */
    CompletableFuture<Verdict> check(String userName, byte[] password, InetAddress remote, String certificateIdentity,
                                     String clientId) {
        if (userName == null || (password == null && certificateIdentity != null)) {
            return CompletableFuture.completedFuture(null);
        }
        String pw = password == null ? null : new String(password, StandardCharsets.UTF_8);
        AuthChain chain = engine == null ? fallback : engine.authBackends().map(AuthBackends::chain).orElse(fallback);
        return chain.authenticate(new Credentials("mqtt", userName, pw, remote, List.of(config.vhost()), clientId));
    }

    /** The outcome of a CONNECT whose credentials the backends judged ({@code verdict}, from {@link #check}). */
    Outcome authenticate(String userName, byte[] password, Verdict verdict, InetAddress remote,
                         String certificateIdentity) {
        if (verdict == null) {
            return authenticate(userName, password, remote, certificateIdentity); // anonymous or certificate
        }
        if (!verdict.allowed()) {
            // A loopback-only user from elsewhere is not authorized rather than a bad password, as before backends.
            UserConfig known = find(userName).orElse(null);
            boolean remoteLoopbackUser = known != null && known.loopbackOnly()
                    && (remote == null || !remote.isLoopbackAddress());
            return remoteLoopbackUser ? Outcome.refused(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY)
                    : verdict.refusal() == dev.junction.routing.auth.Refusal.BACKEND_UNAVAILABLE
                    // Still "bad user name or password" to the client, as before; the log says what happened.
                    ? new Outcome(null, Refusal.BAD_CREDENTIALS, verdict.refusal())
                    : Outcome.refused(dev.junction.routing.auth.Refusal.BAD_CREDENTIALS);
        }
        return reachable(verdict.user(), remote);
    }

    Outcome authenticate(String userName, byte[] password, InetAddress remote) {
        return authenticate(userName, password, remote, null);
    }

    /**
     * {@code certificateIdentity} is the user name from the connection's verified TLS client certificate, or null.
     * A CONNECT without a password on such a connection logs in as that user (as Mosquitto's
     * {@code use_identity_as_username}); a user name in it must then be the same name, since one client may not act
     * as another user. A CONNECT with a password is checked as usual, the certificate then only secures the link.
     * The loopback-only rule always uses the socket's real remote address.
     */
    Outcome authenticate(String userName, byte[] password, InetAddress remote, String certificateIdentity) {
        UserConfig user;
        if (certificateIdentity != null && password == null) {
            if (userName != null && !userName.equals(certificateIdentity)) {
                return Outcome.refused(dev.junction.routing.auth.Refusal.BAD_CREDENTIALS);
            }
            user = find(certificateIdentity).orElse(null);
            if (user == null) {
                return Outcome.refused(dev.junction.routing.auth.Refusal.NO_CERTIFICATE_USER);
            }
        } else if (userName == null) {
            if (!config.allowAnonymous() || config.anonymousUser().isEmpty()) {
                return Outcome.refused(dev.junction.routing.auth.Refusal.ANONYMOUS);
            }
            user = find(config.anonymousUser().get()).orElse(null);
            if (user == null) {
                return Outcome.refused(dev.junction.routing.auth.Refusal.ANONYMOUS);
            }
        } else {
            user = find(userName).orElse(null);
            String pw = password == null ? null : new String(password, java.nio.charset.StandardCharsets.UTF_8);
            if (user == null || !user.checkPassword(pw)) {
                return Outcome.refused(dev.junction.routing.auth.Refusal.BAD_CREDENTIALS);
            }
        }
        return reachable(user, remote);
    }

    /** The loopback-only rule (on the socket's real address) and access to the MQTT vhost. */
    private Outcome reachable(UserConfig user, InetAddress remote) {
        if (user.loopbackOnly() && (remote == null || !remote.isLoopbackAddress())) {
            return Outcome.refused(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY);
        }
        if (user.permissionsFor(config.vhost()).isEmpty()) {
            return Outcome.refused(dev.junction.routing.auth.Refusal.NO_VHOST_ACCESS);
        }
        return new Outcome(user);
    }

    /**
     * The user's vhost permissions, RabbitMQ-style, for what an MQTT action does in the engine: a publish writes
     * to {@code mqtt.exchange}; a subscription reads from it and configures, writes and reads the client's
     * session queue. Checked on top of the topic ACL.
     */
    boolean permits(UserConfig user, AclRule.Action action, String clientId) {
        return permitsNow(now(user), action, clientId);
    }

    /** The user's permission now: one revoked over the management API or by a reload applies at once. */
    private UserConfig now(UserConfig user) {
        return engine == null ? user : engine.authorization().users().current(user);
    }

    /**
     * {@link #permits} for a PUBLISH, asked for every message: the answer is kept in {@code last} (one per
     * connection) for as long as the directory gives the same user object back. A user's record is immutable and a
     * change to it (a permission granted or revoked, the user deleted) gives a new one, so the answer is asked again
     * exactly when it may differ; a publish then costs no regex match of the write permission.
     */
    boolean permitsPublish(UserConfig user, PublishPermit last) {
        UserConfig now = now(user);
        if (now != last.user) {
            last.allowed = permitsNow(now, AclRule.Action.PUBLISH, null);
            last.user = now;
        }
        return last.allowed;
    }

    /** The last answer of {@link #permitsPublish} on one connection; owned by its event loop. */
    static final class PublishPermit {
        private UserConfig user;
        private boolean allowed;
    }

    private boolean permitsNow(UserConfig now, AclRule.Action action, String clientId) {
        VhostPermission p = now.permissionsFor(config.vhost()).orElse(null);
        if (p == null) {
            return false;
        }
        String exchange = config.exchange();
        if (action == AclRule.Action.PUBLISH) {
            return p.canWrite(exchange);
        }
        String queue = TopicMapping.sessionQueue(clientId);
        return p.canRead(exchange) && p.canConfigure(queue) && p.canWrite(queue) && p.canRead(queue);
    }

    /** The user of this name (enhanced authentication looks its secret up). */
    Optional<UserConfig> find(String name) {
        // The broker's directory once loaded (users made or deleted at run time count at once), else the list.
        if (engine != null && engine.authorization().users().loaded()) {
            return engine.authorization().users().find(name);
        }
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
