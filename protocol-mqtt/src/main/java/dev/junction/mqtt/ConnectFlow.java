package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.config.MqttConfig;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.HandshakeCompleted;
import dev.junction.routing.api.Message;
import dev.junction.routing.auth.backend.Verdict;
import dev.junction.routing.topic.TopicWords;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CONNECT: validation, authentication, session attach or takeover, keep alive and CONNACK. */
final class ConnectFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectFlow.class);
    private static final int MAX_PACKET_SIZE_LIMIT = 268_435_455;
    static final io.netty.util.AttributeKey<String> CERTIFICATE_IDENTITY =
            io.netty.util.AttributeKey.valueOf(dev.junction.routing.api.CertificateIdentity.CHANNEL_ATTRIBUTE);

    private final MqttConnection c;

    ConnectFlow(MqttConnection c) {
        this.c = c;
    }

    /** {@code verdict}: the auth backends' answer about the CONNECT's credentials (null when it has no user name). */
    void connect(MqttConnectMessage m, Verdict verdict) {
        MqttConnectVariableHeader vh = m.variableHeader();
        MqttConnectPayload pl = m.payload();
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(vh.name(), (byte) vh.version());
        c.v5 = version == MqttVersion.MQTT_5;
        MqttConfig cfg = c.server.config;
        if (vh.willQos() == 3 || (!vh.isWillFlag() && (vh.willQos() != 0 || vh.isWillRetain()))) {
            // [MQTT-3.1.2-11, MQTT-3.1.2-13, MQTT-3.1.2-14, MQTT-3.1.2-15]
            malformedConnect("invalid will flags in CONNECT");
            return;
        }
        if (version == MqttVersion.MQTT_3_1_1 && vh.hasPassword() && !vh.hasUserName()) {
            malformedConnect("password without user name [MQTT-3.1.2-22]");
            return;
        }
        if (c.v5 && vh.properties().getProperty(MqttProperties.AUTHENTICATION_METHOD) != null) {
            // No enhanced authentication method is supported: refuse and close [MQTT-4.12.0-1].
            LOG.info("MQTT client {} asked for authentication method '{}', which is not supported; refusing",
                    c.remote(), String.valueOf(
                            vh.properties().getProperty(MqttProperties.AUTHENTICATION_METHOD).value()));
            c.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD);
            return;
        }
        if (c.v5 && vh.properties().getProperty(MqttProperties.AUTHENTICATION_DATA) != null) {
            protocolErrorConnect("Authentication Data without an Authentication Method (MQTT 5 section 3.1.2.11.10)");
            return;
        }
        String clientId = pl.clientIdentifier();
        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (!c.v5 && !vh.isCleanSession()) {
                // 3.1.1: an empty id needs clean session [MQTT-3.1.3-7, MQTT-3.1.3-8].
                LOG.info("MQTT client {} sent an empty client id without clean session; refusing", c.remote());
                c.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
                return;
            }
            clientId = "junction-" + UUID.randomUUID();
            assigned = true;
        }
        Access.Outcome auth = c.server.access.authenticate(pl.userName(), pl.passwordInBytes(), verdict,
                c.ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null,
                c.ctx.channel().attr(CERTIFICATE_IDENTITY).get());
        if (auth.refusal() != null) {
            c.server.engine.loginThrottle().failed("mqtt", c.address(), pl.userName());
            LOG.info("MQTT client '{}' ({}) refused: {} (user '{}')", clientId, c.remote(), auth.refusal(),
                    pl.userName());
            boolean badCredentials = auth.refusal() == Access.Refusal.BAD_CREDENTIALS;
            c.refuse(c.v5
                    ? (badCredentials ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                            : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5)
                    : (badCredentials ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD
                            : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED));
            return;
        }
        c.server.engine.loginThrottle().succeeded(c.address(), pl.userName());
        c.authorized(auth.user(), clientId);
        c.clientId = clientId;
        try {
            // The vhost's and the user's max_connections, shared with AMQP. MQTT 5 has Quota exceeded for this;
            // 3.1.1 has no such code, and "Server unavailable" tells the client to try later rather than that its
            // credentials are wrong.
            c.quota = c.server.engine.connectionQuotas().open(c.user.name(), cfg.vhost());
        } catch (BrokerException e) {
            LOG.info("MQTT client '{}' ({}) refused: {}", clientId, c.remote(), e.getMessage());
            c.refuse(c.v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        c.credentialExpiresAt(verdict == null ? java.util.Optional.empty() : verdict.expiresAt());
        c.useTopicQuestions(verdict, clientId);

        MqttProperties props = vh.properties();
        MqttProperties ack = new MqttProperties();
        long expiry;
        if (c.v5) {
            expiry = uint(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            if (expiry > cfg.maxSessionExpirySeconds()) {
                expiry = cfg.maxSessionExpirySeconds();
                ack.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) expiry));
            }
            int receiveMax = (int) uint(props, MqttProperties.RECEIVE_MAXIMUM, 65_535);
            long maxPacket = uint(props, MqttProperties.MAXIMUM_PACKET_SIZE, Long.MAX_VALUE);
            if (receiveMax == 0 || maxPacket == 0) {
                protocolErrorConnect("Receive Maximum or Maximum Packet Size of 0 (MQTT 5 section 3.1.2.11)");
                return;
            }
            c.clientMaxPacket(maxPacket);
            c.outbound.configure(Math.min(receiveMax, cfg.maxInflight()),
                    (int) uint(props, MqttProperties.TOPIC_ALIAS_MAXIMUM, 0));
        } else {
            // 3.1.1 persistent sessions ask for "forever"; the configured cap applies.
            expiry = vh.isCleanSession() ? 0 : cfg.maxSessionExpirySeconds();
            c.outbound.configure(cfg.maxInflight(), 0);
        }
        c.sessionExpiry = expiry;

        if (vh.isWillFlag()) {
            Will will = will(vh, pl, clientId);
            if (will == null) {
                return;
            }
            c.will = will;
        }

        int keepAlive = vh.keepAliveTimeSeconds();
        if (c.v5 && keepAlive > cfg.maxKeepalive()) {
            keepAlive = cfg.maxKeepalive();
            ack.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive)); // [MQTT-3.2.2-21]
        }
        if (keepAlive > 0) {
            // One and a half keep alive periods without a packet and the client is gone [MQTT-3.1.2-24].
            c.ctx.pipeline().addBefore(c.ctx.name(), "mqtt-keepalive",
                    new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }

        if (c.v5) {
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
            long size = PacketSize.connack(ack);
            if (size > c.clientMaxPacket) {
                // The CONNACK may not be sent [MQTT-3.1.2-24] and the client cannot work without it: close before
                // touching any session.
                LOG.warn("MQTT client '{}' ({}) has a Maximum Packet Size of {}, smaller than the {}-byte CONNACK;"
                        + " closing", clientId, c.remote(), c.clientMaxPacket, size);
                c.state = MqttConnection.State.CLOSED;
                c.ctx.close();
                return;
            }
        }

        MqttServer.Attached attached;
        try {
            attached = c.server.attach(clientId, c, vh.isCleanSession(), expiry, c.user.name());
            if (attached == null) {
                // The session belongs to another user: refused, and the session and its connection are untouched.
                LOG.info("MQTT client '{}' ({}) refused: the session belongs to another user (user '{}')",
                        clientId, c.remote(), c.user.name());
                c.refuse(c.v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                return;
            }
            c.session = attached.session();
            c.server.connected(c.session, expiry);
        } catch (BrokerException e) {
            LOG.error("could not set up the session of MQTT client '{}': {}", clientId, e.getMessage());
            // A limit (max_queues) or the memory alarm refused the session queue: Quota exceeded on MQTT 5.
            boolean quota = e.kind() == ErrorKind.PRECONDITION_FAILED;
            c.refuse(c.v5 ? (quota ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IMPLEMENTATION_SPECIFIC)
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        if (attached.previous() != null) {
            attached.previous().takenOver();
        }
        c.state = MqttConnection.State.CONNECTED;
        // MQTT 3.1 has no Session Present flag: the first CONNACK byte is reserved there (MQTT 3.1 CONNACK).
        boolean present = attached.present() && version != MqttVersion.MQTT_3_1;
        c.write(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(present).properties(c.v5 ? ack : MqttProperties.NO_PROPERTIES).build());
        // Through its handshake: the listener's handshake slot and timeout no longer apply.
        c.ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        LOG.debug("MQTT client '{}' connected ({}, session present {})", clientId, version, attached.present());
        c.outbound.start();
    }

    private Will will(MqttConnectVariableHeader vh, MqttConnectPayload pl, String clientId) {
        String topic = pl.willTopic();
        try {
            TopicWords.mqtt(topic == null ? "" : topic);
        } catch (IllegalArgumentException e) {
            malformedConnect("invalid will topic: " + e.getMessage());
            return null;
        }
        // The will is a publish like any other, checked against the same rights, and now, at CONNECT: when it is
        // due the connection is gone and there is nobody left to refuse it to.
        if (!c.mayPublish(topic)
                || !c.server.access.permits(c.user, AclRule.Action.PUBLISH, clientId)) {
            LOG.info("MQTT client '{}' may not publish its will to '{}'; refusing", clientId, topic);
            c.refuse(c.v5 ? io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return null;
        }
        MqttProperties wp = c.v5 ? pl.willProperties() : MqttProperties.NO_PROPERTIES;
        if (!PropertyMapping.validPayloadFormat(wp)) {
            protocolErrorConnect("will with a Payload Format Indicator other than 0 or 1 (MQTT 5 section 3.1.3.2.3)");
            return null;
        }
        byte[] body = pl.willMessageInBytes() == null ? new byte[0] : pl.willMessageInBytes();
        Message msg = PropertyMapping.fromPublish(c.server.config.exchange(), topic, vh.willQos(), vh.isWillRetain(),
                wp, body, clientId, c.user.name(), System.currentTimeMillis());
        long delay = c.v5 ? uint(wp, MqttProperties.WILL_DELAY_INTERVAL, 0) : 0;
        return new Will(topic, msg, vh.isWillRetain(), delay);
    }

    private void malformedConnect(String why) {
        c.warnViolation("malformed CONNECT from {}: {}; closing", c.remote(), why);
        if (c.v5) {
            c.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET);
        } else {
            c.ctx.close();
        }
    }

    private void protocolErrorConnect(String why) {
        c.warnViolation("protocol error in CONNECT from {}: {}; closing", c.remote(), why);
        c.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR);
    }

    static long uint(MqttProperties props, int id, long absent) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(id);
        return p == null ? absent : Integer.toUnsignedLong((Integer) p.value());
    }
}
