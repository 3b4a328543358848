package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.Refusal;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.auth.backend.Credentials;
import dev.junction.routing.auth.backend.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connection handshake [AMQP 0-9-1 2.2.4 the connection class]: start → start-ok (authentication) →
 * tune → tune-ok (negotiation) → open → open-ok. Methods out of this order are a hard error.
 */
final class Handshake {
    private static final String JUNCTION_VERSION = Optional.ofNullable(
            Handshake.class.getPackage().getImplementationVersion()).orElse("0.1.0");
    /**
     * The RabbitMQ version whose behaviour Junction follows, reported as {@code version} because RabbitMQ clients
     * compare it to gate features. 3.13: dead-lettering keeps the CC header, as Junction does (see docs/amqp.md).
     */
    static final String RABBITMQ_COMPATIBLE_VERSION = "3.13.7";
    /** The smallest frame_max a peer may negotiate [AMQP 0-9-1 frame-min-size]. */
    private static final int FRAME_MIN_SIZE = 4096;

    private enum Step { START_SENT, TUNE_SENT, TUNED, OPEN }

    private final AmqpConnection conn;
    private final AmqpSettings settings;
    private final Engine engine;
    private final Authenticator authenticator;
    private final CredentialExpiry expiry;
    private Step step;
    // What the steps so far settled; connection.open turns them into the connection's ConnectionTerms.
    private Map<String, Object> clientProperties = Map.of();
    private UserConfig user;
    private Tuning tuning;
    /** When the login's credentials (an access token) lapse; empty for passwords. */
    private Optional<Instant> expiresAt = Optional.empty();
    /** The login backend's verdict, whose per-operation questions (HTTP resource_path, topic_path) the access asks. */
    private Verdict verdict;
    /** The connection's access, once open (update-secret renews its rights). */
    private AccessControl access;

    Handshake(AmqpConnection conn, AmqpSettings settings, Engine engine, Authenticator authenticator) {
        this.conn = conn;
        this.settings = settings;
        this.engine = engine;
        this.authenticator = authenticator;
        this.expiry = new CredentialExpiry(conn);
    }

    void start() {
        if (step != null) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "protocol header seen twice");
        }
        step = Step.START_SENT;
        String mechanisms = conn.certificateIdentity() != null ? Authenticator.MECHANISMS_WITH_EXTERNAL
                : Authenticator.MECHANISMS;
        conn.send(0, MethodType.CONNECTION_START.with(0, 9, serverProperties(), mechanisms, "en_US"));
    }

    void method(Method m) {
        switch (m.type()) {
            case CONNECTION_START_OK -> startOk(m);
            case CONNECTION_SECURE_OK -> throw unexpected(m);
            case CONNECTION_TUNE_OK -> tuneOk(m);
            case CONNECTION_OPEN -> open(m);
            default -> throw unexpected(m);
        }
    }

    private void startOk(Method m) {
        expect(Step.START_SENT, m);
        clientProperties = m.table("client-properties");
        String mechanism = m.str("mechanism");
        byte[] response = m.bytes("response");
        String claimed = Authenticator.claimedUser(mechanism, response);
        var throttle = engine.loginThrottle();
        // Every attempt on an address or user with recent failures waits before it is checked (LoginThrottle).
        // A slow (PBKDF2) password hash is checked off the event loop first; authenticate() then finds the outcome.
        conn.holdFor(throttle.delayBefore("amqp", conn.peerAddress(), claimed),
                authenticator.prepare(mechanism, response), () -> authenticate(mechanism, response, claimed));
    }

    private void authenticate(String mechanism, byte[] response, String claimed) {
        if (mechanism.equals("EXTERNAL")) {
            // A certificate identity names one of the configured users; the backends are for passwords and tokens.
            String[] why = new String[1];
            Refusal[] kind = new Refusal[1];
            Optional<UserConfig> authenticated = authenticator.authenticate(mechanism, response,
                    conn.peerAddress(), conn.certificateIdentity(), why, kind);
            if (authenticated.isEmpty()) {
                refuse(mechanism, claimed, kind[0], why[0]);
            } else {
                accepted(authenticated.get(), Optional.empty());
            }
            return;
        }
        String[] credentials = Authenticator.credentials(mechanism, response);
        if (credentials == null) {
            refuse(mechanism, claimed, Refusal.BAD_CREDENTIALS, "unsupported or malformed " + mechanism + " response");
            return;
        }
        List<String> vhosts = engine.vhostNames();
        Credentials presented = new Credentials("amqp", credentials[0], credentials[1], conn.peerAddress(), vhosts);
        // The backends may answer later (an HTTP service): frames wait, and the answer comes back on this loop.
        conn.await(() -> authenticator.chain(engine).authenticate(presented), (verdict, error) -> {
            if (error != null || verdict == null || !verdict.allowed()) {
                refuse(mechanism, claimed, verdict == null || verdict.refusal() == null ? Refusal.BACKEND_UNAVAILABLE
                        : verdict.refusal(), error != null ? "auth backend failed: " + error
                        : verdict == null ? "no verdict" : verdict.reason());
                return;
            }
            this.verdict = verdict;
            accepted(verdict.user(), verdict.expiresAt());
        });
    }

    private void accepted(UserConfig authenticated, Optional<Instant> lapses) {
        user = authenticated;
        expiresAt = lapses;
        engine.loginThrottle().succeeded(conn.peerAddress(), user.name());
        step = Step.TUNE_SENT;
        conn.send(0, MethodType.CONNECTION_TUNE.with(settings.channelMax(), settings.frameMax(),
                settings.heartbeatSeconds()));
    }

    /**
     * One log line in {@link Refusal}'s words, the same as MQTT's ({@code why}, the backends' own details, after
     * them), then 403 ACCESS_REFUSED to a client that understands it, else the socket closed (RabbitMQ's behaviour).
     */
    private void refuse(String mechanism, String claimed, Refusal kind, String why) {
        engine.loginThrottle().failed("amqp", conn.peerAddress(), claimed);
        String text = "Login was refused using authentication mechanism " + mechanism
                + ". For details see the broker logfile.";
        refuseLogin(ConnectionTerms.hasCapability(clientProperties, "authentication_failure_close")
                ? AmqpException.connection(ReplyCode.ACCESS_REFUSED, text, MethodType.CONNECTION_START_OK) : null,
                claimed, kind.words() + " (" + mechanism + ": " + why + ")");
    }

    /**
     * Refuses the login or the vhost with one log line in {@link Refusal}'s words (the same as MQTT's): {@code e}
     * sent as connection.close, or, when null, the socket closed at once.
     */
    private void refuseLogin(AmqpException e, String claimedUser, String because) {
        conn.warn(Refusal.LOGIN_REFUSED, "AMQP", claimedUser, conn.peer(), because);
        conn.refused(e);
    }

    /**
     * connection.update-secret (RabbitMQ's extension, method 10.70): for a connection that logged in with an access
     * token, the new token must be valid and name the same user; the connection then lives until its expiry, and
     * the new token's scopes are its rights from the next operation on (as RabbitMQ applies them). A refused token
     * closes the connection (403). Other logins keep RabbitMQ's behaviour for its internal users: the method is
     * acknowledged.
     */
    void updateSecret(Method m) {
        if (expiresAt.isEmpty()) {
            conn.send(0, MethodType.CONNECTION_UPDATE_SECRET_OK.with());
            return;
        }
        String token = new String(m.bytes("new-secret"), java.nio.charset.StandardCharsets.UTF_8);
        // A token naming a key a JWKS URL has not given yet waits for one fetch, off the event loop.
        conn.await(() -> engine.authBackends().flatMap(AuthBackends::jwt).map(j -> j.verifyAsync(token))
                .orElse(java.util.concurrent.CompletableFuture.completedFuture(Verdict.deny("no JWT backend"))),
                (renewed, error) -> renew(renewed == null ? Verdict.deny("" + error) : renewed));
    }

    private void renew(Verdict renewed) {
        if (!renewed.allowed() || !renewed.user().name().equals(user.name())) {
            throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, "ACCESS_REFUSED - new secret refused: "
                    + (renewed.allowed() ? "it names another user" : renewed.reason()),
                    MethodType.CONNECTION_UPDATE_SECRET);
        }
        expiresAt = renewed.expiresAt();
        expiry.expiresAt(expiresAt, user.name());
        user = renewed.user();
        if (access != null) {
            access.renewed(renewed.user());
        }
        conn.send(0, MethodType.CONNECTION_UPDATE_SECRET_OK.with());
    }

    private void tuneOk(Method m) {
        expect(Step.TUNE_SENT, m);
        int channelMax = m.integer("channel-max");
        long frameMax = m.longValue("frame-max");
        int heartbeat = m.integer("heartbeat");
        int serverFrameMax = settings.frameMax();
        if (frameMax != 0 && frameMax < FRAME_MIN_SIZE) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "frame_max=" + frameMax
                    + " < " + FRAME_MIN_SIZE + " min size", MethodType.CONNECTION_TUNE_OK);
        }
        if (frameMax > serverFrameMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "frame_max=" + frameMax
                    + " > " + serverFrameMax + " max size", MethodType.CONNECTION_TUNE_OK);
        }
        int serverChannelMax = settings.channelMax();
        if (channelMax > serverChannelMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "channel_max=" + channelMax
                    + " > " + serverChannelMax + " max channels", MethodType.CONNECTION_TUNE_OK);
        }
        step = Step.TUNED;
        tuning = new Tuning(frameMax == 0 ? serverFrameMax : (int) frameMax,
                channelMax == 0 ? serverChannelMax : channelMax, heartbeat);
        conn.tuned(tuning);
    }

    private void open(Method m) {
        expect(Step.TUNED, m);
        String vhostName = m.str("virtual-host");
        Optional<Vhost> vhost = engine.vhost(vhostName);
        if (vhost.isEmpty()) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "vhost '" + vhostName + "' not found",
                    MethodType.CONNECTION_OPEN);
        }
        Optional<VhostPermission> permission = user.permissionsFor(vhostName);
        if (permission.isEmpty()) {
            // RabbitMQ's reply text to the client; the log line in the words both protocols use.
            refuseLogin(AmqpException.connection(ReplyCode.NOT_ALLOWED, "access to vhost '" + vhostName
                    + "' refused for user '" + user.name() + "'", MethodType.CONNECTION_OPEN), user.name(),
                    Refusal.NO_VHOST_ACCESS.because("'" + vhostName + "'"));
            return;
        }
        step = Step.OPEN;
        access = new AccessControl(user, vhostName, permission.get(),
                engine.authorization().rights(user, vhostName, null), verdict);
        conn.opened(new ConnectionTerms(user, vhost.get(), access, tuning, clientProperties));
        conn.send(0, MethodType.CONNECTION_OPEN_OK.with(""));
        expiry.expiresAt(expiresAt, user.name());
    }

    private void expect(Step expected, Method m) {
        if (step != expected) {
            throw unexpected(m);
        }
    }

    private static AmqpException unexpected(Method m) {
        return AmqpException.connection(ReplyCode.COMMAND_INVALID, "unexpected "
                + m.type().amqpName() + " during the connection handshake", m.type());
    }

    private Map<String, Object> serverProperties() {
        Map<String, Object> caps = new LinkedHashMap<>();
        for (String c : new String[] {"publisher_confirms", "exchange_exchange_bindings", "basic.nack",
                "consumer_cancel_notify", "connection.blocked", "consumer_priorities",
                "authentication_failure_close", "per_consumer_qos", "direct_reply_to"}) {
            caps.put(c, true);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("product", "Junction");
        p.put("version", RABBITMQ_COMPATIBLE_VERSION);
        p.put("junction_version", JUNCTION_VERSION);
        p.put("platform", "Java " + Runtime.version().feature());
        p.put("cluster_name", settings.clusterName());
        p.put("copyright", "Junction authors, Apache-2.0");
        p.put("information", "An MQTT and AMQP 0-9-1 broker");
        p.put("capabilities", caps);
        return p;
    }
}
