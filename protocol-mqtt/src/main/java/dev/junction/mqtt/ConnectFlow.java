package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.HandshakeCompleted;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.TopicIndex;
import dev.junction.routing.auth.backend.Verdict;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CONNECT: validation, authentication, session attach or takeover, keep alive and CONNACK. */
final class ConnectFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectFlow.class);
    private static final int MAX_PACKET_SIZE_LIMIT = 268_435_455;
    static final io.netty.util.AttributeKey<String> CERTIFICATE_IDENTITY =
            io.netty.util.AttributeKey.valueOf(dev.junction.routing.api.CertificateIdentity.CHANNEL_ATTRIBUTE);

    /** The TLS client certificate's identity, or null; asked without adding the attribute to a plain channel. */
    static String certificateIdentity(io.netty.channel.Channel ch) {
        return ch.hasAttr(CERTIFICATE_IDENTITY) ? ch.attr(CERTIFICATE_IDENTITY).get() : null;
    }

    private static final CompletableFuture<Void> HANDLED = CompletableFuture.completedFuture(null);

    private final MqttConnection c;
    /** The CONNECT's protocol version and authenticated user, while it is handled. */
    private boolean v5;
    private UserConfig user;

    ConnectFlow(MqttConnection c) {
        this.c = c;
    }

    /** {@code verdict}: the auth backends' answer about the CONNECT's credentials (null when it has no user name). */
    /**
     * Handles CONNECT; the future completes on the connection's event loop once it is answered (CONNACK, or a
     * refusal and close), which may be later than the return: the session is attached on the client id's lane.
     */
    CompletableFuture<Void> connect(MqttConnectMessage m, Verdict verdict) {
        MqttConnectVariableHeader vh = m.variableHeader();
        MqttConnectPayload pl = m.payload();
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(vh.name(), (byte) vh.version());
        v5 = version == MqttVersion.MQTT_5;
        MqttConfig cfg = c.server.config;
        if (vh.willQos() == 3 || (!vh.isWillFlag() && (vh.willQos() != 0 || vh.isWillRetain()))) {
            // [MQTT-3.1.2-11, MQTT-3.1.2-13, MQTT-3.1.2-14, MQTT-3.1.2-15]
            malformedConnect("invalid will flags in CONNECT");
            return HANDLED;
        }
        if (version == MqttVersion.MQTT_3_1_1 && vh.hasPassword() && !vh.hasUserName()) {
            malformedConnect("password without user name [MQTT-3.1.2-22]");
            return HANDLED;
        }
        // A CONNECT with an Authentication Method comes here only once EnhancedAuth has authenticated it.
        if (v5 && vh.properties().getProperty(MqttProperties.AUTHENTICATION_DATA) != null
                && vh.properties().getProperty(MqttProperties.AUTHENTICATION_METHOD) == null) {
            protocolErrorConnect("Authentication Data without an Authentication Method (MQTT 5 section 3.1.2.11.10)");
            return HANDLED;
        }
        String clientId = pl.clientIdentifier();
        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (!v5 && !vh.isCleanSession()) {
                // 3.1.1: an empty id needs clean session [MQTT-3.1.3-7, MQTT-3.1.3-8].
                LOG.info("MQTT client {} sent an empty client id without clean session; refusing", c.remote());
                c.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
                return HANDLED;
            }
            clientId = "junction-" + UUID.randomUUID();
            assigned = true;
        }
        Access.Outcome auth = c.server.access.authenticate(pl.userName(), pl.passwordInBytes(), verdict,
                c.ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null,
                certificateIdentity(c.ctx.channel()));
        if (auth.refusal() != null) {
            c.server.engine.loginThrottle().failed("mqtt", c.address(), pl.userName());
            LOG.info(dev.junction.routing.auth.Refusal.LOGIN_REFUSED, "MQTT client '" + clientId + "'",
                    pl.userName(), c.remote(), auth.because() == dev.junction.routing.auth.Refusal.NO_VHOST_ACCESS
                            ? auth.because().because("'" + c.server.config.vhost() + "'") : auth.because().words());
            boolean badCredentials = auth.refusal() == Access.Refusal.BAD_CREDENTIALS;
            c.refuse(badCredentials ? ReasonCode.BAD_USER_NAME_OR_PASSWORD : ReasonCode.NOT_AUTHORIZED);
            return HANDLED;
        }
        c.server.engine.loginThrottle().succeeded(c.address(), pl.userName());
        user = auth.user();
        c.topics.authorized(user, clientId);
        try {
            // The vhost's and the user's max_connections, shared with AMQP: Quota exceeded (3.1.1: Server
            // unavailable, see ReasonCode.QUOTA_EXCEEDED).
            c.leased(c.server.engine.connectionQuotas().open(user.name(), cfg.vhost()));
        } catch (BrokerException e) {
            LOG.info("MQTT client '{}' ({}) refused: {}", clientId, c.remote(), e.getMessage());
            c.refuse(ReasonCode.QUOTA_EXCEEDED);
            return HANDLED;
        }
        c.login.credentialExpiresAt(verdict == null ? java.util.Optional.empty() : verdict.expiresAt(), clientId,
                user.name());
        c.topics.useQuestions(verdict, clientId);

        MqttProperties props = vh.properties();
        MqttProperties ack = new MqttProperties();
        long expiry;
        long clientMaxPacket = Long.MAX_VALUE;
        if (v5) {
            expiry = uint(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            if (expiry > cfg.maxSessionExpirySeconds()) {
                expiry = cfg.maxSessionExpirySeconds();
                ack.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) expiry));
            }
            int receiveMax = (int) uint(props, MqttProperties.RECEIVE_MAXIMUM, 65_535);
            long maxPacket = uint(props, MqttProperties.MAXIMUM_PACKET_SIZE, Long.MAX_VALUE);
            if (receiveMax == 0 || maxPacket == 0) {
                protocolErrorConnect("Receive Maximum or Maximum Packet Size of 0 (MQTT 5 section 3.1.2.11)");
                return HANDLED;
            }
            clientMaxPacket = maxPacket;
            // Enforced on every packet from now, a refusal's CONNACK included [MQTT-3.1.2-24].
            OutboundSizeLimit limit = c.ctx.pipeline().get(OutboundSizeLimit.class);
            if (limit != null) {
                limit.maximum(maxPacket);
            }
            c.outbound.configure(Math.min(receiveMax, cfg.maxInflight()),
                    (int) uint(props, MqttProperties.TOPIC_ALIAS_MAXIMUM, 0));
        } else {
            // 3.1.1 persistent sessions ask for "forever"; the configured cap applies.
            expiry = vh.isCleanSession() ? 0 : cfg.maxSessionExpirySeconds();
            c.outbound.configure(cfg.maxInflight(), 0);
        }
        if (clientMaxPacket == Long.MAX_VALUE && c.ctx.pipeline().get(OutboundSizeLimit.class) != null) {
            // No Maximum Packet Size to enforce [MQTT-3.1.2-24]: the handler would only cost every idle connection.
            c.ctx.pipeline().remove(OutboundSizeLimit.class);
        }

        Will will = null;
        if (vh.isWillFlag()) {
            will = will(vh, pl, clientId);
            if (will == null) {
                return HANDLED;
            }
        }

        int keepAlive = vh.keepAliveTimeSeconds();
        if (v5 && keepAlive > cfg.maxKeepalive()) {
            keepAlive = cfg.maxKeepalive();
            ack.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive)); // [MQTT-3.2.2-21]
        }
        // One and a half keep alive periods without a packet and the client is gone [MQTT-3.1.2-24].
        c.keepAlive.start(c.server.keepAliveWheel, keepAlive);

        if (v5) {
            if (assigned) {
                ack.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, clientId)); // [MQTT-3.2.2-16]
            }
            ack.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, cfg.receiveMaximum()));
            ack.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, cfg.topicAliasMaximum()));
            if (c.server.maxPacketSize < MAX_PACKET_SIZE_LIMIT) {
                ack.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, c.server.maxPacketSize));
            }
            ack.add(new IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
            ack.add(new IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
            ack.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
            ack.add(new IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 1));
            c.login.acknowledge(ack);
            long size = PacketSize.connack(ack);
            if (size > clientMaxPacket) {
                // The CONNACK may not be sent [MQTT-3.1.2-24] and the client cannot work without it: close before
                // touching any session.
                LOG.warn("MQTT client '{}' ({}) has a Maximum Packet Size of {}, smaller than the {}-byte CONNACK;"
                        + " closing", clientId, c.remote(), clientMaxPacket, size);
                c.closeSilently();
                return HANDLED;
            }
        }

        ClientSession session = new ClientSession(clientId, version, user, expiry, will, clientMaxPacket, keepAlive);
        c.connecting(session);
        CompletableFuture<Void> handled = new CompletableFuture<>();
        // The client's part of the handshake is done: its CONNECT is complete, authenticated and valid. What is left
        // (the claim and the session, which in a cluster wait for a quorum) is the broker's work, so the listener's
        // handshake timeout and slot no longer apply to it: they exist to cut off slow or silent clients, and a
        // client cut off here sees a close without any answer. The broker's own wait has its own limit instead.
        c.ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        SessionSetupDeadline deadline = SessionSetupDeadline.start(c, clientId, handled);
        // The client id is claimed first: across a cluster's nodes the latest claim wins and the other node closes
        // its connection [MQTT-3.1.4-2]. A server-assigned id is nobody else's and claims nothing. Alone, the claim
        // is granted at once (a completed future) and costs nothing. The claim names the user: in a cluster a client
        // id whose session belongs to another user is refused before any node's connection is touched.
        CompletableFuture<Long> claim = assigned ? ClientIdClaims.LOCAL.claim(cfg.vhost(), clientId, user.name())
                : c.server.clientIds.claim(cfg.vhost(), clientId, user.name());
        boolean cleanStart = vh.isCleanSession();
        if (claim.isDone() && !claim.isCompletedExceptionally()) {
            attach(session, ack, cleanStart, claim.join(), deadline, handled);
        } else {
            claim.whenComplete((granted, refused) -> {
                if (refused == null) {
                    attach(session, ack, cleanStart, granted, deadline, handled);
                } else {
                    c.onLoop(() -> {
                        try {
                            unclaimed(session, refused);
                        } finally {
                            handled.complete(null);
                        }
                    });
                }
            });
        }
        return handled;
    }

    private void attach(ClientSession session, MqttProperties ack, boolean cleanStart, long claim,
                        SessionSetupDeadline deadline, CompletableFuture<Void> handled) {
        c.server.sessions.attach(session.clientId(), c, cleanStart, session.sessionExpiry(), user.name(), claim,
                        deadline)
                .whenComplete((attached, error) -> c.onLoop(() -> {
                    try {
                        attached(session, ack, attached, error);
                    } finally {
                        handled.complete(null);
                    }
                }));
    }

    /**
     * The cluster could not order the claim (this node is on a minority side, or alone): refused with Server
     * unavailable (MQTT 5 0x88, 3.1.1 return code 3), rather than accepted with a second owner of the client id
     * alive on the majority's side [MQTT-3.1.4-2]. The client tries again, here later or on another node. A claim
     * refused because the client id's session belongs to another user gets what a single node answers for that
     * session: Not authorized (MQTT 5 0x87, 3.1.1 return code 5), and nothing changed on any node.
     */
    private void unclaimed(ClientSession session, Throwable refused) {
        if (c.state != MqttConnection.State.AWAIT_CONNECT) {
            return; // answered already (the session setup took too long) or closed
        }
        Throwable cause = refused instanceof CompletionException && refused.getCause() != null
                ? refused.getCause() : refused;
        if (cause instanceof BrokerException e && e.kind() == ErrorKind.ACCESS_REFUSED) {
            LOG.info("MQTT client '{}' ({}) refused: the session belongs to another user (user '{}')",
                    session.clientId(), c.remote(), user.name());
            c.refuse(ReasonCode.NOT_AUTHORIZED);
            return;
        }
        LOG.info("MQTT client '{}' ({}) refused: {}", session.clientId(), c.remote(), cause.getMessage());
        c.refuse(ReasonCode.SERVER_UNAVAILABLE);
    }

    /** The session registry answered: CONNACK, or a refusal. On the connection's event loop. */
    private void attached(ClientSession session, MqttProperties ack, SessionRegistry.Attached attached,
                          Throwable error) {
        String clientId = session.clientId();
        MqttVersion version = session.version();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (c.state != MqttConnection.State.AWAIT_CONNECT) {
            // Closed meanwhile by the client: a session attached after all is left again at once, or by the close
            // still on its way, as any close leaves it. (A CONNECT refused for its deadline attached nothing.)
            if (cause == null && attached != null && attached.session() != null) {
                c.attached(attached.session());
                if (!c.socketOpen()) {
                    c.leaveSession();
                }
            }
            return;
        }
        if (cause instanceof BrokerException e) {
            LOG.error("could not set up the session of MQTT client '{}': {}", clientId, e.getMessage());
            // A limit or the memory alarm refused what the session needs: Quota exceeded on MQTT 5.
            c.refuse(e.kind() == ErrorKind.PRECONDITION_FAILED ? ReasonCode.QUOTA_EXCEEDED
                    : ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
            return;
        }
        if (cause != null) {
            // Not a refusal of the client's: the broker failed (a quorum write that timed out, say). The client is
            // told, as for any setup the broker could not finish, instead of finding its socket closed.
            LOG.error("could not set up the session of MQTT client '{}'", clientId, cause);
            c.refuse(ReasonCode.SERVER_UNAVAILABLE);
            return;
        }
        if (attached == SessionRegistry.ABANDONED) {
            c.refuse(ReasonCode.SERVER_UNAVAILABLE); // given up for its deadline (answered before this, normally)
            return;
        }
        if (attached == SessionRegistry.OVERTAKEN) {
            // Another node's connection claimed the client id after this one and won [MQTT-3.1.4-2].
            LOG.info("MQTT client '{}' ({}) refused: the client id was claimed again on another node",
                    clientId, c.remote());
            c.refuse(ReasonCode.SERVER_UNAVAILABLE);
            return;
        }
        if (attached == null) {
            // The session belongs to another user: refused, and the session and its connection are untouched.
            LOG.info("MQTT client '{}' ({}) refused: the session belongs to another user (user '{}')",
                    clientId, c.remote(), user.name());
            c.refuse(ReasonCode.NOT_AUTHORIZED);
            return;
        }
        c.attached(attached.session());
        if (!c.socketOpen()) {
            c.leaveSession(); // the client went away while the session was attached: as if it closed right after
            return;
        }
        if (c.state != MqttConnection.State.AWAIT_CONNECT) {
            return; // closed meanwhile; channelInactive leaves the session
        }
        if (attached.previous() != null) {
            attached.previous().takenOver();
        }
        c.accepted();
        // MQTT 3.1 has no Session Present flag: the first CONNACK byte is reserved there (MQTT 3.1 CONNACK).
        boolean present = attached.present() && version != MqttVersion.MQTT_3_1;
        c.out.write(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(present).properties(v5 ? ack : MqttProperties.NO_PROPERTIES).build());
        c.entry.opened(session); // listed in the engine's connection registry; logs the open line
        LOG.debug("MQTT client '{}' connected ({}, session present {})", clientId, version, attached.present());
        c.outbound.start();
    }

    private Will will(MqttConnectVariableHeader vh, MqttConnectPayload pl, String clientId) {
        String topic = pl.willTopic();
        try {
            TopicIndex.checkMqttTopic(topic == null ? "" : topic);
        } catch (IllegalArgumentException e) {
            malformedConnect("invalid will topic: " + e.getMessage());
            return null;
        }
        // The will is a publish like any other, checked against the same rights, and now, at CONNECT: when it is
        // due the connection is gone and there is nobody left to refuse it to.
        if (!c.topics.mayPublish(topic)
                || !c.server.access.permits(user, AclRule.Action.PUBLISH, clientId)) {
            LOG.info("MQTT client '{}' may not publish its will to '{}'; refusing", clientId, topic);
            c.refuse(ReasonCode.NOT_AUTHORIZED);
            return null;
        }
        MqttProperties wp = v5 ? pl.willProperties() : MqttProperties.NO_PROPERTIES;
        if (!PropertyMapping.validPayloadFormat(wp)) {
            protocolErrorConnect("will with a Payload Format Indicator other than 0 or 1 (MQTT 5 section 3.1.3.2.3)");
            return null;
        }
        byte[] body = pl.willMessageInBytes() == null ? new byte[0] : pl.willMessageInBytes();
        Message msg = PropertyMapping.fromPublish(c.server.config.exchange(), topic, vh.willQos(), vh.isWillRetain(),
                wp, body, clientId, user.name(), System.currentTimeMillis());
        long delay = v5 ? uint(wp, MqttProperties.WILL_DELAY_INTERVAL, 0) : 0;
        return new Will(topic, msg, vh.isWillRetain(), delay);
    }

    private void malformedConnect(String why) {
        c.violations.warn("malformed CONNECT from {}: {}; closing", c.remote(), why);
        if (v5) {
            c.refuse(ReasonCode.MALFORMED_PACKET);
        } else {
            c.ctx.close();
        }
    }

    private void protocolErrorConnect(String why) {
        c.violations.warn("protocol error in CONNECT from {}: {}; closing", c.remote(), why);
        c.refuse(ReasonCode.PROTOCOL_ERROR);
    }

    static long uint(MqttProperties props, int id, long absent) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(id);
        return p == null ? absent : Integer.toUnsignedLong((Integer) p.value());
    }
}
