package dev.junction.mqtt;

import dev.junction.config.UserConfig;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.ReadGate;
import dev.junction.routing.auth.TopicDecisions;
import dev.junction.routing.auth.UserRights;
import dev.junction.routing.auth.backend.TopicAnswers;
import dev.junction.routing.auth.backend.TopicQuestions;
import dev.junction.routing.auth.backend.Verdict;
import dev.junction.routing.queue.Handoff;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT network connection. All state is owned by the channel's event loop: deliveries from queue threads are
 * handed over through {@link #deliver}, engine futures are completed back with {@link #onLoop}.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    /** Malformed packets and protocol errors: one line each, rate-limited across connections. */
    static final ViolationLog VIOLATIONS = new ViolationLog(LOG);
    private static final int CONNECT_TIMEOUT_SECONDS = 20;
    private static final int MAX_PENDING_DELIVERIES = 1000;

    enum State { AWAIT_CONNECT, CONNECTED, CLOSED }

    /**
     * Topics whose read (and publish) decision a connection remembers; a miss costs one pass over the rules. Small,
     * and only short topics are kept, so that a client cycling through topics cannot make it big (at most about
     * 0.3 MB per cache).
     */
    static final int DECISION_CACHE_TOPICS = 1024;
    static final int DECISION_CACHE_TOPIC_CHARS = 128;

    final MqttServer server;
    ChannelHandlerContext ctx;
    State state = State.AWAIT_CONNECT;
    boolean v5;
    String clientId;
    UserConfig user;
    /** The user's topic rights for this client id; set once CONNECT is authenticated. */
    UserRights rights;
    /** Read decisions per delivered topic, when the user's ACL restricts reading. */
    private TopicDecisions readable;
    /** Publish decisions per topic (ACL, topic permissions, the '$' rule). */
    private TopicDecisions publishable;
    MqttSession session;
    /** Read by {@link MqttServer#attach} on the thread of a connection taking the session over. */
    volatile long sessionExpiry;
    Will will;
    /** Set by a DISCONNECT with reason 0x00 (or any 3.1.1 DISCONNECT): the will is discarded [MQTT-3.14.4-3]. */
    boolean discardWill;
    boolean takenOver;
    /** This connection's slot in its vhost's and user's connection limits; null until CONNECT is accepted. */
    ConnectionQuotas.Lease quota;
    /** The client's Maximum Packet Size (MQTT 5); larger outbound packets are dropped [MQTT-3.1.2-25]. */
    long clientMaxPacket = Long.MAX_VALUE;
    private OutboundSizeLimit sizeLimit;

    final InboundPublish inbound = new InboundPublish(this);
    final Outbound outbound = new Outbound(this);
    /** Retained messages owed after SUBSCRIBEs, sent as the client takes them. */
    final RetainedBacklog retainedBacklog = new RetainedBacklog(this);
    final SubscribeFlow subscribeFlow = new SubscribeFlow(this);
    private final ConnectFlow connectFlow = new ConnectFlow(this);

    private Handoff handoff;
    private volatile boolean writable = true;
    /** False once the socket closed: queues must stop handing deliveries (QoS 0 ones would be lost). */
    private volatile boolean open = true;
    private boolean flushPending;
    private ScheduledFuture<?> connectTimeout;
    /** Reading stops while the memory alarm is raised (for publishers) and while a target queue is congested. */
    private ReadGate readGate;
    private boolean publisher;
    /** Packets waiting while a long SUBSCRIBE is applied; null when packets are handled as they come. */
    private ArrayDeque<Object> held;
    private final Consumer<Boolean> memoryListener = on -> onLoop(() -> memoryAlarm(on));
    /** Non-null while a throttled CONNECT waits: packets the client sent after it, replayed once it is handled. */
    private java.util.ArrayDeque<MqttMessage> heldDuringLogin;
    /** Answers of an external backend about topics (HTTP topic_path); null when the rights are all configured. */
    private TopicAnswers topicAnswers;
    /** The will's answer, asked before the CONNECT is handled. */
    private TopicAnswers pendingTopicAnswers;
    /** Packets that arrived while a PUBLISH or SUBSCRIBE waits for topic answers; null when none waits. */
    private ArrayDeque<MqttMessage> waitingForTopicAnswers;

    MqttConnection(MqttServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.handoff = new Handoff(context.executor(), MAX_PENDING_DELIVERIES, this::flush, outbound::resume);
        this.readGate = new ReadGate(on -> context.channel().config().setAutoRead(on));
        this.sizeLimit = context.pipeline().get(OutboundSizeLimit.class);
    }

    /** The client's Maximum Packet Size [MQTT-3.1.2-24]: measured for PUBLISH, enforced on every packet. */
    void clientMaxPacket(long bytes) {
        clientMaxPacket = bytes;
        if (sizeLimit != null) {
            sizeLimit.maximum(bytes);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        connectTimeout = context.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT) {
                LOG.info("MQTT connection from {} sent no CONNECT within {} s; closing", remote(),
                        CONNECT_TIMEOUT_SECONDS);
                context.close();
            }
        }, CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        context.fireChannelActive();
    }

    /**
     * Stops handling packets (a long SUBSCRIBE is being applied in slices): packets already decoded wait, in order,
     * and the socket is not read until {@link #releasePackets()}.
     */
    void holdPackets() {
        if (held == null) {
            held = new ArrayDeque<>();
            readGate.congested();
        }
    }

    /** Handles the packets that arrived while held, in order, and reads the socket again. */
    void releasePackets() {
        ArrayDeque<Object> waiting = held;
        if (waiting == null) {
            return;
        }
        held = null;
        readGate.relieved();
        for (Object msg; held == null && (msg = waiting.poll()) != null; ) {
            channelRead(ctx, msg);
        }
        if (!waiting.isEmpty()) {
            held.addAll(waiting); // a packet among them held the connection again: keep the rest in order
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (held != null) {
            held.add(msg); // released (and its buffer freed) by releasePackets or channelInactive
            return;
        }
        readGate.read();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (msg instanceof PacketGuard.Violation v) {
                violation(v.reason(), v.code());
                return;
            }
            MqttMessage m = (MqttMessage) msg;
            DecoderResult result = m.decoderResult();
            if (result != null && result.isFailure()) {
                decodeFailure(m, result.cause());
                return;
            }
            dispatch(m);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        if (state == State.AWAIT_CONNECT) {
            if (heldDuringLogin != null) {
                // A client need not wait for CONNACK before it sends more (MQTT 3.1.1 section 3.1.4): keep them in order.
                heldDuringLogin.add(ReferenceCountUtil.retain(m));
                return;
            }
            if (type != MqttMessageType.CONNECT) {
                // The first packet must be CONNECT [MQTT-3.1.0-1].
                LOG.info("MQTT client {} sent {} before CONNECT; closing", remote(), type);
                ctx.close();
                return;
            }
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
            }
            if (!server.engine.store().writable() && wantsStoredSession((MqttConnectMessage) m)) {
                // A persistent session could not be stored: refused visibly rather than accepted and lost on a
                // restart. CONNACK 0x88 Server unavailable (MQTT 5), 0x03 (3.1.1).
                LOG.warn("MQTT client {} asked for a persistent session while the store cannot write; refusing",
                        remote());
                refuse(v5Attr() ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                return;
            }
            connectThrottled((MqttConnectMessage) m);
            return;
        }
        if (storeCannotTake(type)) {
            return;
        }
        if (waitingForTopicAnswers != null) {
            waitingForTopicAnswers.add(ReferenceCountUtil.retain(m)); // in order, after the packet being decided
            return;
        }
        if (topicAnswers != null && askTopicRights(m)) {
            return;
        }
        handle(m, type);
    }

    private void handle(MqttMessage m, MqttMessageType type) {
        switch (type) {
            case CONNECT -> protocolError("second CONNECT [MQTT-3.1.0-2]");
            case PUBLISH -> inbound.publish((MqttPublishMessage) m);
            case PUBACK -> outbound.puback(messageId(m));
            case PUBREC -> outbound.pubrec(messageId(m), reasonOf(m));
            case PUBREL -> inbound.pubrel(messageId(m));
            case PUBCOMP -> outbound.pubcomp(messageId(m));
            case SUBSCRIBE -> admit(SubscribeRules.check((MqttSubscribeMessage) m, v5),
                    () -> subscribeFlow.subscribe((MqttSubscribeMessage) m));
            case UNSUBSCRIBE -> admit(SubscribeRules.check((MqttUnsubscribeMessage) m, v5),
                    () -> subscribeFlow.unsubscribe((MqttUnsubscribeMessage) m));
            case PINGREQ -> write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                    MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> disconnect(m);
            case AUTH -> protocolError("enhanced authentication (AUTH) is not supported");
            default -> protocolError("a client must not send " + type);
        }
    }

    private void admit(PacketShape.Problem problem, Runnable handle) {
        if (problem == null) {
            handle.run();
        } else {
            violation(problem.reason(), problem.code());
        }
    }

    /**
     * Hands CONNECT to the connect flow, after the login throttle's wait when this address or user name has
     * recent failures (LoginThrottle), and after the auth backends answered (an HTTP service answers later, on its
     * own thread; the answer is brought back to this event loop). Waits are scheduled, never slept, and nothing is
     * read meanwhile: packets already received are kept and handled after the CONNECT, in order.
     */
    private void connectThrottled(MqttConnectMessage m) {
        long delay = server.engine.loginThrottle().delayBefore("mqtt", address(), m.payload().userName());
        if (delay <= 0) {
            checkThenConnect(m);
            return;
        }
        holdDuringLogin();
        ctx.executor().schedule(() -> checkThenConnect(m), delay, TimeUnit.MILLISECONDS);
    }

    private void checkThenConnect(MqttConnectMessage m) {
        java.util.concurrent.CompletableFuture<Verdict> verdict = server.access.check(m.payload().userName(),
                m.payload().passwordInBytes(), address(), ctx.channel().attr(ConnectFlow.CERTIFICATE_IDENTITY).get());
        if (verdict.isDone()) {
            connectAndResume(m, verdict.join());
            return;
        }
        holdDuringLogin();
        verdict.whenComplete((v, e) -> ctx.executor().execute(() -> connectAndResume(m,
                v != null ? v : Verdict.error("auth backend failed: " + e))));
    }

    private void holdDuringLogin() {
        if (heldDuringLogin == null) {
            heldDuringLogin = new java.util.ArrayDeque<>();
            readGate.congested();
        }
    }

    private void connectAndResume(MqttConnectMessage m, Verdict verdict) {
        String willTopic = m.variableHeader().isWillFlag() ? m.payload().willTopic() : null;
        if (verdict != null && verdict.allowed() && verdict.topicQuestions().isPresent() && willTopic != null
                && pendingTopicAnswers == null) {
            // The will is checked during the CONNECT: its topic is asked about first.
            TopicAnswers answers = newTopicAnswers(verdict, m.payload().clientIdentifier());
            pendingTopicAnswers = answers;
            holdDuringLogin();
            answers.ask(List.of(TopicQuestions.key("write", TopicMapping.toRoutingKey(willTopic))))
                    .whenComplete((a, e) -> ctx.executor().execute(() -> {
                        answers.remember(a == null ? Map.of() : a);
                        connectAndResume(m, verdict);
                    }));
            return;
        }
        java.util.ArrayDeque<MqttMessage> held = heldDuringLogin;
        if (held != null) {
            readGate.relieved();
            heldDuringLogin = null;
        }
        if (state == State.AWAIT_CONNECT && ctx.channel().isActive()) {
            connectFlow.connect(m, verdict);
        }
        if (held == null) {
            return;
        }
        for (MqttMessage h : held) {
            try {
                if (state == State.CONNECTED) {
                    dispatch(h);
                }
            } finally {
                ReferenceCountUtil.release(h);
            }
        }
    }

    /**
     * Topic rights an external backend decides per request (HTTP topic_path): a PUBLISH or SUBSCRIBE whose topics
     * have no answer yet waits, with every packet after it, until the backend answered; nothing is read meanwhile.
     * True when {@code m} was kept for later.
     */
    private boolean askTopicRights(MqttMessage m) {
        List<String> keys = new ArrayList<>();
        if (m instanceof MqttPublishMessage p) {
            String topic = p.variableHeader().topicName();
            if (topic != null && !topic.isEmpty()) { // an aliased topic was asked about when the alias was set
                keys.add(TopicQuestions.key("write", TopicMapping.toRoutingKey(topic)));
            }
        } else if (m instanceof MqttSubscribeMessage sub && sub.payload() != null) {
            for (var t : sub.payload().topicSubscriptions()) {
                String[] share = TopicMapping.shared(t.topicName());
                keys.add(TopicQuestions.key("read", TopicMapping.toBindingKey(share == null ? t.topicName() : share[1])));
            }
        }
        List<String> missing = topicAnswers.missing(keys);
        if (missing.isEmpty()) {
            return false;
        }
        MqttMessage kept = ReferenceCountUtil.retain(m);
        waitingForTopicAnswers = new ArrayDeque<>();
        readGate.congested();
        topicAnswers.ask(missing).whenComplete((answers, e) -> ctx.executor().execute(() -> {
            topicAnswers.remember(answers == null ? Map.of() : answers); // no answer: unknown, refused
            readGate.relieved();
            ArrayDeque<MqttMessage> later = waitingForTopicAnswers;
            waitingForTopicAnswers = null;
            try {
                if (state == State.CONNECTED) {
                    handle(kept, kept.fixedHeader().messageType());
                }
            } finally {
                ReferenceCountUtil.release(kept);
            }
            while (!later.isEmpty()) {
                MqttMessage h = later.poll();
                try {
                    if (waitingForTopicAnswers != null) {
                        waitingForTopicAnswers.add(ReferenceCountUtil.retain(h));
                    } else if (state == State.CONNECTED) {
                        dispatch(h);
                    }
                } finally {
                    ReferenceCountUtil.release(h);
                }
            }
        }));
        return true;
    }

    /** Whether the external backend (if any) lets this client bind with {@code bindingKey} on the MQTT exchange. */
    boolean topicReadAllowed(String bindingKey) {
        return topicAnswers == null || topicAnswers.allowed("read", bindingKey);
    }

    /** Topic rights decided per request by the login's backend, or none (then the configured rights only). */
    void useTopicQuestions(Verdict verdict, String clientId) {
        if (verdict == null || verdict.topicQuestions().isEmpty()) {
            topicAnswers = null;
            return;
        }
        topicAnswers = pendingTopicAnswers != null ? pendingTopicAnswers
                : newTopicAnswers(verdict, clientId);
        pendingTopicAnswers = null;
    }

    private TopicAnswers newTopicAnswers(Verdict verdict, String clientId) {
        // RabbitMQ's variable_map for MQTT: client_id, username, vhost.
        return new TopicAnswers(verdict.topicQuestions().get(), server.config.vhost(), server.config.exchange(),
                Map.of("client_id", clientId == null ? "" : clientId, "username", verdict.user().name(),
                        "vhost", server.config.vhost()));
    }

    private static int messageId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int reasonOf(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    private void disconnect(MqttMessage m) {
        int reason = 0;
        if (v5 && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            reason = h.reasonCode() & 0xFF;
            MqttProperties.MqttProperty<?> expiry = h.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                long requested = Integer.toUnsignedLong((Integer) expiry.value());
                if (sessionExpiry == 0 && requested != 0) {
                    // A session that ends with the connection cannot be made to outlive it now [MQTT-3.14.2-2].
                    protocolError("DISCONNECT sets a Session Expiry Interval after CONNECT set 0 [MQTT-3.14.2-2]");
                    return;
                }
                sessionExpiry = Math.min(requested, server.config.maxSessionExpirySeconds());
            }
        }
        // 0x04 asks for the will to be sent; anything else from the client discards it [MQTT-3.14.4-3].
        discardWill = reason != 0x04;
        ctx.close();
    }

    private void decodeFailure(MqttMessage m, Throwable cause) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            LOG.info("MQTT client {} asked for an unsupported protocol version; refusing", remote());
            // The version is unknown, so answer in 3.1.1 form [MQTT-3.1.2-2].
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        } else if (cause instanceof MqttIdentifierRejectedException) {
            LOG.info("MQTT client {} sent an invalid client identifier; refusing", remote());
            refuse(v5Attr() ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        } else {
            violation(String.valueOf(cause.getMessage()), cause instanceof TooLongFrameException
                    ? DisconnectReason.PACKET_TOO_LARGE : DisconnectReason.MALFORMED_PACKET);
        }
    }

    /** A packet broken in a way that ends the connection (MQTT 5 section 4.13, 3.1.1 section 4.8). */
    void violation(String why, DisconnectReason reason) {
        if (reason == DisconnectReason.PROTOCOL_ERROR) {
            protocolError(why);
        } else if (reason == DisconnectReason.QUOTA_EXCEEDED) {
            warnViolation("MQTT client {} ({}) exceeded a server limit: {}; closing",
                    clientId == null ? "-" : clientId, remote(), why);
            closeWith(reason.code());
        } else {
            malformed(why, reason.code());
        }
    }

    private boolean v5Attr() {
        // Before CONNECT is processed, the codec already knows the version it decoded the CONNECT with.
        return v5 || ctx.channel().attr(PacketGuard.CODEC_VERSION).get() == MqttVersion.MQTT_5;
    }

    void refuse(MqttConnectReturnCode code) {
        state = State.CLOSED;
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** A malformed packet: MQTT 5 clients past CONNECT get DISCONNECT with the reason first; then close. */
    void malformed(String why, int reasonV5) {
        warnViolation("malformed MQTT packet from {} ({}): {}; closing",
                clientId == null ? "-" : clientId, remote(), why);
        closeWith(reasonV5);
    }

    void protocolError(String why) {
        warnViolation("MQTT protocol error by {} ({}): {}; closing",
                clientId == null ? "-" : clientId, remote(), why);
        closeWith(0x82);
    }

    /**
     * An acknowledgement (or a stored session's SUBSCRIBE/UNSUBSCRIBE) while the store cannot write (disk full):
     * it would be taken in memory and only reach the disk later, or never if the broker stops first. It is refused visibly instead: MQTT 5 DISCONNECT 0x80
     * Unspecified error, 3.1.1 close; the session keeps the message, which is sent again after reconnecting.
     */
    private boolean storeCannotTake(MqttMessageType type) {
        boolean ack = type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC
                || type == MqttMessageType.PUBREL || type == MqttMessageType.PUBCOMP
                // a stored session's subscriptions are part of its record
                || session != null && session.durable
                && (type == MqttMessageType.SUBSCRIBE || type == MqttMessageType.UNSUBSCRIBE);
        if (!ack || server.engine.store().writable()) {
            return false;
        }
        LOG.warn("MQTT client {} ({}) sent {} while the store cannot write; closing", clientId, remote(), type);
        closeWith(0x80);
        return true;
    }

    /** Whether a CONNECT asks for a session kept past the connection (3.1.1 clean session 0, MQTT 5 expiry > 0). */
    private boolean wantsStoredSession(MqttConnectMessage m) {
        if (!v5Attr()) {
            return !m.variableHeader().isCleanSession();
        }
        MqttProperties.MqttProperty<?> expiry = m.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        return expiry != null && expiry.value() instanceof Integer i && i != 0;
    }

    /**
     * Closes, telling an MQTT 5 client why with a DISCONNECT reason code [MQTT-4.13.1-1]; a CONNECT that is refused
     * this way gets a CONNACK with the reason instead [MQTT-3.1.4-1, MQTT-3.2.2-8].
     */
    void closeWith(int reasonV5) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.AWAIT_CONNECT && v5Attr()) {
            DisconnectReason reason = DisconnectReason.of(reasonV5);
            if (reason != null) {
                refuse(reason.connack());
                return;
            }
        }
        boolean tell = v5 && state == State.CONNECTED;
        state = State.CLOSED;
        if (tell) {
            ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false,
                    MqttQoS.AT_MOST_ONCE, false, 0), new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonV5,
                    MqttProperties.NO_PROPERTIES))).addListener(ChannelFutureListener.CLOSE);
        } else {
            // What was written before (a CONNACK whose flush is still queued, when a takeover closes a connection
            // that has just been accepted) still goes out.
            ctx.flush();
            ctx.close();
        }
    }

    /** Sets the rights of the authenticated user for this client id. */
    void authorized(UserConfig user, String clientId) {
        this.user = user;
        this.rights = server.engine.authorization().rights(user, server.config.vhost(), clientId);
        this.readable = rights.acl().open() ? null
                : new TopicDecisions(rights::mayRead, DECISION_CACHE_TOPICS, DECISION_CACHE_TOPIC_CHARS);
        this.publishable = rights.topicsRestricted()
                ? new TopicDecisions(this::checkPublish, DECISION_CACHE_TOPICS, DECISION_CACHE_TOPIC_CHARS) : null;
    }

    private boolean checkPublish(String topic) {
        return rights.mayPublishTopic(topic, TopicMapping.toRoutingKey(topic));
    }

    /** Whether this client may publish to {@code topic} (the will included); cached per topic when it costs. */
    boolean mayPublish(String topic) {
        if (topicAnswers != null && !topicAnswers.allowed("write", TopicMapping.toRoutingKey(topic))) {
            return false;
        }
        return publishable == null ? checkPublish(topic) : publishable.test(topic);
    }

    /**
     * Whether a message on {@code topic} may be delivered to this client: every delivery (and every retained message
     * sent at SUBSCRIBE) passes the user's read rules for its concrete topic, since a granted wildcard filter may
     * also match denied topics. Decisions are cached per topic; the event loop owns the cache.
     */
    boolean mayRead(String topic) {
        return readable == null || readable.test(topic);
    }

    /** DISCONNECT reason "Maximum connect time" (MQTT 5 section 3.14.2.1): the authorized connect time is over. */
    private static final int MAXIMUM_CONNECT_TIME = 0xA0;
    private java.util.concurrent.ScheduledFuture<?> credentialExpiry;

    /**
     * The login's credentials (an access token) lapse at {@code at}: the connection ends then. MQTT 5 clients get
     * DISCONNECT 0xA0 Maximum connect time, whose meaning ("the maximum connection time authorized for this
     * connection has been exceeded") is exactly this; 0x87 Not authorized would suggest a refused action. MQTT
     * 3.1.1 has no DISCONNECT from the server: the connection is closed.
     */
    void credentialExpiresAt(java.util.Optional<java.time.Instant> at) {
        if (credentialExpiry != null) {
            credentialExpiry.cancel(false);
            credentialExpiry = null;
        }
        if (at.isEmpty()) {
            return;
        }
        long ms = Math.max(0, java.time.Duration.between(java.time.Instant.now(), at.get()).toMillis());
        credentialExpiry = ctx.executor().schedule(() -> {
            if (state == State.CONNECTED) {
                LOG.info("MQTT client '{}' ({}): the access token of user '{}' expired; closing", clientId, remote(),
                        user == null ? "" : user.name());
                closeWith(MAXIMUM_CONNECT_TIME);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** Another connection took this client id over [MQTT-3.1.4-2]; called from any thread. */
    void takenOver() {
        onLoop(() -> {
            takenOver = true;
            LOG.info("MQTT client '{}' ({}) taken over by a new connection", clientId, remote());
            closeWith(0x8E);
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (readGate.stoppedSinceAsked()) {
                return; // we stopped reading during this interval: the silence is ours, not the client's
            }
            // Nothing for 1.5 times the keep alive: the client is gone [MQTT-3.1.2-24 (3.1.1), MQTT-3.1.2-22 (5.0)].
            LOG.info("MQTT client '{}' ({}) exceeded its keep alive; closing", clientId, remote());
            closeWith(0x8D);
            return;
        }
        if (evt == PacketGuard.PublishArriving.INSTANCE) {
            becomePublisher(); // a large PUBLISH is being buffered: under the memory alarm, leave the rest unread
            return;
        }
        context.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        writable = context.channel().isWritable();
        if (writable) {
            outbound.resume();
            retainedBacklog.drain();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("MQTT connection {} failed", remote(), cause);
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        open = false;
        if (publisher) {
            server.engine.memoryAlarm().unsubscribe(memoryListener);
        }
        boolean wasConnected = session != null;
        state = State.CLOSED;
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
        if (quota != null) {
            quota.close();
        }
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        if (!wasConnected) {
            return;
        }
        outbound.release();
        if (will != null && !discardWill) {
            if (takenOver) {
                // The session lives on with the new connection: only an undelayed will still goes out.
                if (will.delaySeconds() == 0) {
                    server.publishWill(will);
                }
            } else {
                server.scheduleWill(session, will);
            }
        }
        server.detach(session, this, sessionExpiry);
        LOG.debug("MQTT client '{}' disconnected", clientId);
    }

    // ---- publisher flow control ---------------------------------------------------------------------------------

    /** Called on every PUBLISH read; the first one subscribes to the memory alarm (only publishers are held). */
    void published(PublishResult result) {
        becomePublisher();
        if (result.congested()) {
            // A target queue is far behind its publishers: hold this one back until it catches up.
            readGate.congested();
            result.whenRelieved(() -> {
                try {
                    onLoop(readGate::relieved);
                } catch (RejectedExecutionException closed) {
                    // the event loop went away with the connection
                }
            });
        }
    }

    private void becomePublisher() {
        if (!publisher && state == State.CONNECTED) {
            publisher = true;
            server.engine.memoryAlarm().subscribe(memoryListener);
            memoryAlarm(server.engine.memoryAlarm().raised());
        }
    }

    private void memoryAlarm(boolean raised) {
        if (state != State.CLOSED) {
            readGate.memoryAlarm(raised);
        }
    }

    // ---- output -----------------------------------------------------------------------------------------------

    void write(Object msg) {
        if (state == State.CLOSED && !(msg instanceof MqttMessage m
                && m.fixedHeader().messageType() == MqttMessageType.CONNACK)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        if (!flushPending) {
            flushPending = true;
            ctx.executor().execute(this::flush);
        }
    }

    private void flush() {
        flushPending = false;
        ctx.flush();
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        handoff.submit(onEventLoop);
    }

    /** Whether the socket's write buffer is below its high water mark now. */
    boolean writableNow() {
        return ctx.channel().isWritable();
    }

    boolean canTakeDeliveries() {
        return open && writable && handoff.hasRoom();
    }

    void onLoop(Runnable r) {
        if (ctx.executor().inEventLoop()) {
            r.run();
        } else {
            ctx.executor().execute(r);
        }
    }

    boolean open() {
        return state == State.CONNECTED;
    }

    java.net.InetAddress address() {
        return ctx != null && ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress() : null;
    }

    /**
     * A protocol violation line: one per source address per interval (the engine's WarningLimiter, shared with
     * AMQP), and never more than ViolationLog lets through in all, whatever the number of addresses.
     */
    void warnViolation(String format, Object... args) {
        server.engine.clientWarnings().warn(VIOLATIONS::warn, address(), format, args);
    }

    /**
     * A line about a refusal the client can repeat at will without being disconnected (a denied PUBLISH or
     * filter): at {@code log}'s INFO, at most one per source address per interval (the engine's WarningLimiter).
     */
    void infoRefusal(Logger log, String format, Object... args) {
        server.engine.clientWarnings().warn(log::info, address(), format, args);
    }

    String remote() {
        return ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress());
    }
}
