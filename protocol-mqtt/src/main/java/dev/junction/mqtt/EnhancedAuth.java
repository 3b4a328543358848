package dev.junction.mqtt;

import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import dev.junction.config.UserConfig;
import dev.junction.routing.auth.backend.Verdict;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 enhanced authentication (section 4.12) with SCRAM-SHA-256 and SCRAM-SHA-512 against the configured users
 * (below), or with an access token ({@code OAUTHBEARER}, {@code JWT}: {@link TokenAuth}). SCRAM:
 * a CONNECT naming the mechanism as its Authentication Method carries the client-first message, the server answers
 * with AUTH Continue authentication, the client's AUTH carries its proof, and the CONNACK carries the server's
 * (section 4.12, non-normative SCRAM example). After the CONNACK the client may re-authenticate the same way, starting
 * with AUTH Re-authenticate (section 4.12.1), while its other packets keep flowing.
 *
 * <p>The exchange only proves who the client is: what that user may do is decided afterwards exactly as for a
 * password (loopback-only, vhost access, connection limits), by {@link ConnectFlow} with the user as the verdict.
 * While the server waits for the client's AUTH the CONNECT's deadline still runs: the listener's handshake timeout
 * (the handshake ends with the CONNACK) and a challenge timeout of this class's own. Owned by the event loop.
 */
final class EnhancedAuth {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    /** How long the client has to answer a challenge during CONNECT: as long as it had to send its CONNECT. */
    static final long CHALLENGE_TIMEOUT_SECONDS = 20;

    private enum Step {
        /** No exchange: none was asked for, or the connection is authenticated and not re-authenticating. */
        IDLE,
        /** Waiting for the user's secret (derived on the password-check pool) before the first answer. */
        LOOKING_UP,
        /** The server's challenge is out; the client's AUTH with its proof is due. */
        CHALLENGED,
    }

    private final MqttConnection c;
    private final Login login;
    /** The token methods ({@code OAUTHBEARER}, {@code JWT}): one step, verified by the jwt backend. */
    private final TokenAuth tokens;
    /** The CONNECT's Authentication Method; null when it had none (then AUTH is a protocol error [MQTT-4.12.0-7]). */
    private String method;
    private ScramMechanism mechanism;
    private Step step = Step.IDLE;
    private ScramExchange exchange;
    /** The CONNECT being authenticated; null once the CONNACK is decided. */
    private MqttConnectMessage connect;
    private UserConfig user;
    /** The server-final message, for the CONNACK. */
    private byte[] serverFinal;
    private ScheduledFuture<?> deadline;

    EnhancedAuth(MqttConnection c, Login login) {
        this.c = c;
        this.login = login;
        this.tokens = new TokenAuth(c, login, this);
    }

    /**
     * Starts the exchange a CONNECT asks for with an Authentication Method; false when it names none (the CONNECT
     * is then checked with its user name and password).
     */
    boolean begin(MqttConnectMessage m) {
        MqttProperties props = m.variableHeader().properties();
        String asked = text(props, MqttProperties.AUTHENTICATION_METHOD);
        if (asked == null) {
            return false;
        }
        method = asked;
        if (tokens.speaks(asked)) {
            tokens.connect(m, asked, data(props)); // one step: the token decides, then comes back to connect()
            return true;
        }
        connect = m;
        mechanism = ScramMechanism.bySaslName(asked).orElse(null);
        if (mechanism == null) {
            // Refused, and closed [MQTT-4.12.0-1].
            LOG.info("MQTT client {} asked for authentication method '{}', which is not supported; refusing",
                    c.remote(), asked);
            c.refuse(ReasonCode.BAD_AUTHENTICATION_METHOD);
            return true;
        }
        ScramExchange.ClientFirst first;
        try {
            first = ScramExchange.clientFirst(data(props));
        } catch (ScramExchange.Malformed e) {
            fail(ReasonCode.NOT_AUTHORIZED, null, "malformed " + asked + " client-first message: " + e.getMessage());
            return true;
        }
        String named = m.payload().userName();
        if (named != null && !named.equals(first.userName())) {
            fail(ReasonCode.BAD_USER_NAME_OR_PASSWORD, first.userName(), "the CONNECT's user name '" + named
                    + "' is not the one authenticated");
            return true;
        }
        user = c.server.access.find(first.userName()).orElse(null);
        lookUp(first, this::challengeConnect);
        return true;
    }

    /**
     * The user a CONNECT claims to be, for the login throttle's wait before it is checked: its user name, or the
     * SCRAM user name in its Authentication Data, so that failed SCRAM logins slow further tries of that user as
     * failed passwords do.
     */
    static String claimedUser(MqttConnectMessage m) {
        MqttProperties props = m.variableHeader().properties();
        String method = text(props, MqttProperties.AUTHENTICATION_METHOD);
        if (m.payload().userName() != null || method == null || ScramMechanism.bySaslName(method).isEmpty()) {
            return m.payload().userName(); // a token's user is known only once it is verified
        }
        try {
            return ScramExchange.clientFirst(data(props)).userName();
        } catch (ScramExchange.Malformed e) {
            return null;
        }
    }

    /** Whether the CONNECT's exchange waits for the client (its packets then come to {@link #duringConnect}). */
    boolean challenged() {
        return connect != null && step != Step.IDLE;
    }

    /** A packet while the CONNECT's exchange runs: only AUTH or DISCONNECT may come before CONNACK [MQTT-3.1.2-30]. */
    void duringConnect(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        if (type == MqttMessageType.DISCONNECT) {
            c.closeSilently(); // the client gave up
            return;
        }
        if (type != MqttMessageType.AUTH) {
            c.violations.protocolError(type + " before CONNACK after a CONNECT with an Authentication Method"
                    + " [MQTT-3.1.2-30]");
            return;
        }
        byte[] proof = proofOf(m);
        if (proof == null) {
            return;
        }
        deadline.cancel(false);
        step = Step.IDLE;
        String name = exchange.userName();
        byte[] serverFinalMessage;
        try {
            serverFinalMessage = exchange.finish(proof);
        } catch (ScramExchange.Malformed e) {
            fail(ReasonCode.NOT_AUTHORIZED, name, "malformed " + method + " client-final message: " + e.getMessage());
            return;
        }
        if (serverFinalMessage == null || user == null) {
            fail(ReasonCode.BAD_USER_NAME_OR_PASSWORD, name, user == null ? "no such user"
                    : "wrong proof, or the user has no " + method + " secret");
            return;
        }
        serverFinal = serverFinalMessage;
        MqttConnectMessage accepted = connect;
        connect = null;
        login.connect(accepted, Verdict.allow(user));
    }

    /**
     * The CONNACK of an accepted CONNECT: it names the same Authentication Method [MQTT-4.12.0-5] and carries the
     * server-final message.
     */
    void acknowledge(MqttProperties ack) {
        if (method != null) {
            ack.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
            if (serverFinal != null) {
                ack.add(new BinaryProperty(MqttProperties.AUTHENTICATION_DATA, serverFinal));
                serverFinal = null;
            }
        }
    }

    /** An AUTH after the CONNACK: re-authentication (section 4.12.1), or a protocol error. */
    void afterConnack(MqttMessage m) {
        if (method == null) {
            c.violations.protocolError("AUTH, but the CONNECT had no Authentication Method [MQTT-4.12.0-7]");
            return;
        }
        int reason = reasonOf(m);
        if (step == Step.IDLE && reason == ReasonCode.RE_AUTHENTICATE.code() && tokens.speaks(method)) {
            if (!method.equals(text(props(m), MqttProperties.AUTHENTICATION_METHOD))) {
                c.violations.protocolError("re-authentication with another Authentication Method [MQTT-4.12.1-1]");
                return;
            }
            step = Step.LOOKING_UP; // another AUTH before the answer is a protocol error
            tokens.reauthenticate(method, data(props(m)), () -> step = Step.IDLE);
            return;
        }
        if (step == Step.IDLE && reason == ReasonCode.RE_AUTHENTICATE.code()) {
            ScramExchange.ClientFirst first;
            try {
                if (!method.equals(text(props(m), MqttProperties.AUTHENTICATION_METHOD))) {
                    c.violations.protocolError("re-authentication with another Authentication Method [MQTT-4.12.1-1]");
                    return;
                }
                first = ScramExchange.clientFirst(data(props(m)));
            } catch (ScramExchange.Malformed e) {
                reauthFailed("malformed client-first message: " + e.getMessage());
                return;
            }
            if (!first.userName().equals(c.user().name())) {
                reauthFailed("re-authentication as another user ('" + first.userName() + "')");
                return;
            }
            user = c.server.access.find(first.userName()).orElse(null);
            lookUp(first, this::challengeAgain);
            return;
        }
        if (step == Step.CHALLENGED) {
            byte[] proof = proofOf(m);
            if (proof == null) {
                return;
            }
            step = Step.IDLE;
            try {
                byte[] ok = exchange.finish(proof);
                if (ok == null || user == null) {
                    reauthFailed("wrong proof, or the user is gone");
                    return;
                }
                send(ReasonCode.SUCCESS, ok);
                LOG.debug("MQTT client '{}' ({}) re-authenticated", c.clientId(), c.remote());
            } catch (ScramExchange.Malformed e) {
                reauthFailed("malformed client-final message: " + e.getMessage());
            }
            return;
        }
        c.violations.protocolError("AUTH with reason " + reason + " while " + (step == Step.IDLE
                ? "no re-authentication is under way" : "the server prepares its challenge"));
    }

    /** Fetches the user's secret (perhaps derived off the loop), then runs {@code then} on the loop. */
    private void lookUp(ScramExchange.ClientFirst first, Consumer<ScramExchange> then) {
        step = Step.LOOKING_UP;
        CompletableFuture<Optional<ScramSecret>> secret = user == null
                ? CompletableFuture.completedFuture(Optional.empty()) : ScramSecret.of(user, mechanism);
        if (secret.isDone()) {
            then.accept(new ScramExchange(mechanism, first, secret.join().orElse(null), null));
            return;
        }
        if (connect != null) {
            login.hold(); // packets after the CONNECT wait, in order, until the challenge is out
        }
        secret.whenComplete((s, e) -> c.onLoop(() -> then.accept(new ScramExchange(mechanism, first,
                s == null ? null : s.orElse(null), null))));
    }

    private void challengeConnect(ScramExchange x) {
        if (c.state != MqttConnection.State.AWAIT_CONNECT || !c.socketOpen()) {
            login.awaitClient();
            return;
        }
        exchange = x;
        step = Step.CHALLENGED;
        // The challenge is sent before CONNACK, so the client's Maximum Packet Size is not known to the encoder yet;
        // a server-first message is about a hundred bytes.
        c.ctx.writeAndFlush(auth(ReasonCode.CONTINUE_AUTHENTICATION, x.serverFirst())); // [MQTT-4.12.0-2]
        deadline = c.ctx.executor().schedule(() -> {
            if (step == Step.CHALLENGED && c.state == MqttConnection.State.AWAIT_CONNECT) {
                LOG.info("MQTT client {} did not answer the {} challenge within {} s; closing", c.remote(), method,
                        CHALLENGE_TIMEOUT_SECONDS);
                c.closeSilently();
            }
        }, CHALLENGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        login.awaitClient();
    }

    private void challengeAgain(ScramExchange x) {
        if (c.state != MqttConnection.State.CONNECTED) {
            return;
        }
        exchange = x;
        step = Step.CHALLENGED;
        send(ReasonCode.CONTINUE_AUTHENTICATION, x.serverFirst());
    }

    /** The client's AUTH during an exchange: its Authentication Data, or null after a protocol error. */
    private byte[] proofOf(MqttMessage m) {
        int reason = reasonOf(m);
        if (reason != ReasonCode.CONTINUE_AUTHENTICATION.code()) {
            // The client answers a challenge with Continue authentication [MQTT-4.12.0-3].
            c.violations.protocolError("AUTH with reason " + reason + " in answer to a challenge [MQTT-4.12.0-3]");
            return null;
        }
        if (!method.equals(text(props(m), MqttProperties.AUTHENTICATION_METHOD))) {
            c.violations.protocolError("AUTH without the CONNECT's Authentication Method (MQTT 5 section 3.15.2.2.2)");
            return null;
        }
        return data(props(m));
    }

    /** The CONNECT's exchange failed: counted by the login throttle, logged, refused with {@code reason}. */
    private void fail(ReasonCode reason, String userName, String why) {
        step = Step.IDLE;
        connect = null;
        c.server.engine.loginThrottle().failed("mqtt", c.address(), userName);
        LOG.info(dev.junction.routing.auth.Refusal.LOGIN_REFUSED, "MQTT client", userName, c.remote(),
                dev.junction.routing.auth.Refusal.BAD_CREDENTIALS.words() + " (" + method + ": " + why + ")");
        c.refuse(reason); // [MQTT-4.12.0-4]
    }

    /** Re-authentication failed: DISCONNECT Not authorized, and close [MQTT-4.12.1-2]. */
    void reauthFailed(String why) {
        step = Step.IDLE;
        c.server.engine.loginThrottle().failed("mqtt", c.address(), c.user().name());
        LOG.info("MQTT client '{}' ({}) failed to re-authenticate with {}: {}; closing", c.clientId(), c.remote(),
                method, why);
        c.closeWith(ReasonCode.NOT_AUTHORIZED, "re-authentication failed");
    }

    /** AUTH after the CONNACK; {@code data} null for none. */
    void send(ReasonCode reason, byte[] data) {
        c.out.write(auth(reason, data));
        c.ctx.flush();
    }

    /** AUTH with this exchange's method, as every AUTH from the server must carry [MQTT-4.12.0-5]. */
    private MqttMessage auth(ReasonCode reason, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
        if (data != null) {
            p.add(new BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        }
        return MqttMessageBuilders.auth().reasonCode(reason.value()).properties(p).build();
    }

    private static MqttProperties props(MqttMessage m) {
        return m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h ? h.properties()
                : MqttProperties.NO_PROPERTIES;
    }

    private static int reasonOf(MqttMessage m) {
        return m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    private static String text(MqttProperties props, int id) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(id);
        return p == null ? null : String.valueOf(p.value());
    }

    private static byte[] data(MqttProperties props) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(MqttProperties.AUTHENTICATION_DATA);
        return p != null && p.value() instanceof byte[] b ? b : new byte[0];
    }
}
