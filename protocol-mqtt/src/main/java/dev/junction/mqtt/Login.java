package dev.junction.mqtt;

import dev.junction.routing.auth.backend.Verdict;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's way in, up to its CONNACK: the first packet must be CONNECT; the login throttle's wait when this
 * address or user name has recent failures (LoginThrottle); the auth backends' answer (an HTTP service answers later,
 * on its own thread) and, when a backend decides topics, its answer about the will; then {@link ConnectFlow}, whose
 * session attach completes later too. Waits are scheduled, never slept, and nothing is read meanwhile: packets the
 * client sent after its CONNECT (it need not wait for CONNACK, MQTT 3.1.1 section 3.1.4) are kept and handled
 * afterwards, in order. A CONNECT with an Authentication Method goes to {@link EnhancedAuth} instead of the auth
 * backends: its AUTH exchange decides the user and comes back here, and the client's AUTH packets are read meanwhile.
 * Owned by the connection's event loop.
 */
final class Login {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);

    private final MqttConnection c;
    /**
     * MQTT 5 enhanced authentication (AUTH), when the CONNECT asks for it, and re-authentication after CONNACK; made
     * only then, since most devices log in with a password and would carry it unused for the connection's life.
     */
    private EnhancedAuth auth;
    /** Non-null while the CONNECT is being handled: packets the client sent after it, replayed once it is. */
    private ArrayDeque<MqttMessage> held;
    private ScheduledFuture<?> credentialExpiry;

    Login(MqttConnection c) {
        this.c = c;
    }

    /** A packet before the connection is accepted. */
    void packet(MqttMessage m) {
        if (held != null) {
            held.add(ReferenceCountUtil.retain(m));
            return;
        }
        if (auth != null && auth.challenged()) {
            auth.duringConnect(m);
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (type != MqttMessageType.CONNECT) {
            // The first packet must be CONNECT [MQTT-3.1.0-1].
            LOG.info("MQTT client {} sent {} before CONNECT; closing", c.remote(), type);
            c.ctx.close();
            return;
        }
        c.connectArrived();
        MqttConnectMessage connect = (MqttConnectMessage) m;
        if (!c.server.engine.storeWritable() && wantsStoredSession(connect)) {
            // A persistent session could not be stored: refused visibly rather than accepted and lost on a restart.
            LOG.warn("MQTT client {} asked for a persistent session while the store cannot write; refusing",
                    c.remote());
            c.refuse(ReasonCode.SERVER_UNAVAILABLE);
            return;
        }
        long delay = c.server.engine.loginThrottle().delayBefore("mqtt", c.address(),
                EnhancedAuth.claimedUser(connect));
        if (delay <= 0) {
            check(connect);
            return;
        }
        hold();
        c.ctx.executor().schedule(() -> check(connect), delay, TimeUnit.MILLISECONDS);
    }

    private void check(MqttConnectMessage m) {
        auth = new EnhancedAuth(c, this);
        if (auth.begin(m)) {
            return; // the AUTH exchange decides who the client is, then comes back to connect()
        }
        auth = null; // no Authentication Method: a password login
        CompletableFuture<Verdict> verdict = c.server.access.check(m.payload().userName(),
                m.payload().passwordInBytes(), c.address(),
                ConnectFlow.certificateIdentity(c.ctx.channel()), m.payload().clientIdentifier());
        if (verdict.isDone()) {
            connect(m, verdict.join());
            return;
        }
        hold();
        verdict.whenComplete((v, e) -> c.ctx.executor().execute(() -> connect(m,
                v != null ? v : Verdict.error("auth backend failed: " + e))));
    }

    /**
     * An AUTH after the CONNACK: re-authentication with the CONNECT's method, or, when the CONNECT had none, a
     * protocol error [MQTT-4.12.0-7], which a fresh exchange (with no method) reports.
     */
    void afterConnack(MqttMessage m) {
        if (auth == null) {
            auth = new EnhancedAuth(c, this);
        }
        auth.afterConnack(m);
    }

    /** The CONNACK's Authentication Method and Data, when the CONNECT asked for an exchange. */
    void acknowledge(MqttProperties ack) {
        if (auth != null) {
            auth.acknowledge(ack);
        }
    }

    void hold() {
        if (held == null) {
            held = new ArrayDeque<>();
            c.reading.congested();
        }
    }

    void connect(MqttConnectMessage m, Verdict verdict) {
        String willTopic = m.variableHeader().isWillFlag() ? m.payload().willTopic() : null;
        // The will is checked during the CONNECT: its topic is asked about first.
        CompletableFuture<Void> willAnswer = c.topics.askWill(verdict, m.payload().clientIdentifier(), willTopic,
                c.ctx.executor());
        if (willAnswer != null) {
            hold();
            willAnswer.whenComplete((v, e) -> connect(m, verdict));
            return;
        }
        if (c.state != MqttConnection.State.AWAIT_CONNECT || !c.ctx.channel().isActive()) {
            resume();
            return;
        }
        // The session is attached on the client id's lane: packets after the CONNECT wait until it is handled.
        hold();
        new ConnectFlow(c).connect(m, verdict).whenComplete((v, e) -> resume());
    }

    /** The CONNECT is handled (accepted or refused): the packets the client sent after it are handled, in order. */
    private void resume() {
        ArrayDeque<MqttMessage> waiting = held;
        if (waiting == null) {
            return;
        }
        c.reading.relieved();
        held = null;
        for (MqttMessage h : waiting) {
            try {
                if (c.state == MqttConnection.State.CONNECTED) {
                    c.dispatch(h);
                }
            } finally {
                ReferenceCountUtil.release(h);
            }
        }
    }

    /**
     * The server's AUTH challenge is out and the client's answer is due: what was kept meanwhile (the client should
     * have sent nothing but AUTH or DISCONNECT, [MQTT-3.1.2-30]) goes to the exchange now, in order, and the socket
     * is read again.
     */
    void awaitClient() {
        ArrayDeque<MqttMessage> waiting = held;
        if (waiting == null) {
            return;
        }
        c.reading.relieved();
        held = null;
        for (MqttMessage h; held == null && (h = waiting.poll()) != null; ) {
            try {
                if (c.state == MqttConnection.State.AWAIT_CONNECT) {
                    packet(h);
                }
            } finally {
                ReferenceCountUtil.release(h);
            }
        }
        if (held != null) {
            held.addAll(waiting); // a packet among them (the client's answer) held the connection again: keep order
        } else {
            waiting.forEach(ReferenceCountUtil::release);
        }
    }

    /**
     * The login's credentials (an access token) lapse at {@code at}: the connection ends then. MQTT 5 clients get
     * DISCONNECT Maximum connect time, whose meaning ("the maximum connection time authorized for this connection
     * has been exceeded") is exactly this; Not authorized would suggest a refused action.
     */
    void credentialExpiresAt(Optional<Instant> at, String clientId, String userName) {
        if (credentialExpiry != null) {
            credentialExpiry.cancel(false);
            credentialExpiry = null;
        }
        if (at.isEmpty()) {
            return;
        }
        long ms = Math.max(0, Duration.between(Instant.now(), at.get()).toMillis());
        credentialExpiry = c.ctx.executor().schedule(() -> {
            if (c.state == MqttConnection.State.CONNECTED) {
                LOG.info("MQTT client '{}' ({}): the access token of user '{}' expired; closing", clientId, c.remote(),
                        userName);
                c.closeWith(ReasonCode.MAXIMUM_CONNECT_TIME);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** Whether a CONNECT asks for a session kept past the connection (3.1.1 clean session 0, MQTT 5 expiry > 0). */
    private boolean wantsStoredSession(MqttConnectMessage m) {
        if (!c.v5Attr()) {
            return !m.variableHeader().isCleanSession();
        }
        MqttProperties.MqttProperty<?> expiry = m.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        return expiry != null && expiry.value() instanceof Integer i && i != 0;
    }
}
