package dev.junction.mqtt;

import dev.junction.config.UserConfig;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.DeliveryOutlet;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Timeout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT network connection. All state is owned by the channel's event loop: deliveries from queue threads are
 * handed over through {@link #deliver}, engine futures are completed back with {@link #onLoop}. Its parts: the way in
 * up to CONNACK ({@link Login}, {@link ConnectFlow}), what the user may do with topics ({@link TopicRights},
 * {@link TopicAnswerWait}), when the socket is read ({@link ReadControl}), protocol violations ({@link Violations}),
 * and the packet flows ({@link InboundPublish}, {@link Outbound}, {@link SubscribeFlow}, {@link RetainedBacklog}), to
 * which {@link PacketDispatch} sends each packet by its type.
 * What the CONNECT established is one immutable {@link ClientSession}.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    private static final int CONNECT_TIMEOUT_SECONDS = 20;
    /** Deliveries that may wait for the event loop before the consumers are paused. */
    private static final int MAX_PENDING_DELIVERIES = 1000;

    enum State { AWAIT_CONNECT, CONNECTED, CLOSED }

    final MqttServer server;
    ChannelHandlerContext ctx;
    State state = State.AWAIT_CONNECT;
    /** What the CONNECT established; null until it is accepted. */
    private ClientSession client;
    private MqttSession session;
    /** Read by {@link SessionRegistry#attach} on the client id's lane when a connection takes the session over. */
    private volatile long sessionExpiry;
    /** Set by a DISCONNECT with reason 0x00 (or any 3.1.1 DISCONNECT): the will is discarded [MQTT-3.14.4-3]. */
    private boolean discardWill;
    private boolean takenOver;
    /** This connection's slot in its vhost's and user's connection limits; null until CONNECT is accepted. */
    private ConnectionQuotas.Lease quota;

    final TopicRights topics;
    final Violations violations = new Violations(this);
    final InboundPublish inbound = new InboundPublish(this);
    final Outbound outbound = new Outbound(this);
    /**
     * Retained messages owed after SUBSCRIBEs, sent as the client takes them; made with the first SUBSCRIBE, like the
     * flow itself, the packet hold and the topic-answer wait: a device that only publishes never needs them.
     */
    private RetainedBacklog retainedBacklog;
    private SubscribeFlow subscribeFlow;
    final Login login = new Login(this);
    /** This connection in the engine's connection registry, with its open and close log lines. */
    final ConnectionEntry entry = new ConnectionEntry(this);
    private TopicAnswerWait topicAnswerWait;
    ReadControl reading;
    final KeepAlive keepAlive = new KeepAlive(this);

    Output out;
    private Timeout connectTimeout;
    /** Packets waiting while a long SUBSCRIBE is applied in slices. */
    private PacketHold hold;

    MqttConnection(MqttServer server) {
        this.server = server;
        this.topics = new TopicRights(server);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        DeliveryOutlet outlet = new DeliveryOutlet(context.executor(), MAX_PENDING_DELIVERIES, context::flush,
                outbound::resume, on -> context.channel().config().setAutoRead(on));
        this.out = new Output(this, context, outlet);
        this.reading = new ReadControl(this, server.engine, outlet);
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        // On the server's timer wheel, like keep alives: a cancelled entry leaves it at the next tick.
        connectTimeout = server.keepAliveWheel.newTimeout(KeepAlive.onLoop(this, () -> {
            if (state == State.AWAIT_CONNECT) {
                LOG.info("MQTT connection from {} sent no CONNECT within {} s; closing", remote(),
                        CONNECT_TIMEOUT_SECONDS);
                context.close();
            }
        }), CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        context.fireChannelActive();
    }

    /** The CONNECT arrived: the connect timeout no longer applies. */
    void connectArrived() {
        if (connectTimeout != null) {
            connectTimeout.cancel();
            connectTimeout = null; // the cancelled entry is not kept for the connection's life
        }
    }

    /**
     * The CONNECT is accepted as {@code c}, before its session is attached: the session's expiry interval is the
     * one granted (a takeover reads it).
     */
    void connecting(ClientSession c) {
        this.client = c;
        this.sessionExpiry = c.sessionExpiry();
    }

    /** This connection's slot in the connection limits, given back when it closes. */
    void leased(ConnectionQuotas.Lease lease) {
        this.quota = lease;
    }

    /** The session is attached: the connection owns it from now. */
    void attached(MqttSession s) {
        this.session = s;
    }

    /** The CONNACK is on its way: packets are handled from now. */
    void accepted() {
        state = State.CONNECTED;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (hold != null && hold.keep(msg)) {
            return;
        }
        reading.read();
        keepAlive.read();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (msg instanceof PacketGuard.Violation v) {
                violations.violation(v.reason(), v.code());
                return;
            }
            MqttMessage m = (MqttMessage) msg;
            DecoderResult result = m.decoderResult();
            if (result != null && result.isFailure()) {
                violations.decodeFailure(result.cause());
                return;
            }
            dispatch(m);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    void dispatch(MqttMessage m) {
        if (state == State.AWAIT_CONNECT) {
            login.packet(m);
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (StoreGate.refuses(this, type) || waitsForTopicAnswers(m)) {
            return;
        }
        PacketDispatch.handle(this, m, type);
    }

    /** Whether {@code m} waits for an external backend's topic answers (only when one decides topics). */
    private boolean waitsForTopicAnswers(MqttMessage m) {
        if (topicAnswerWait == null) {
            if (!topics.asked()) {
                return false;
            }
            topicAnswerWait = new TopicAnswerWait(this);
        }
        return topicAnswerWait.keep(m);
    }

    SubscribeFlow subscribeFlow() {
        return subscribeFlow != null ? subscribeFlow : (subscribeFlow = new SubscribeFlow(this));
    }

    RetainedBacklog retainedBacklog() {
        return retainedBacklog != null ? retainedBacklog : (retainedBacklog = new RetainedBacklog(this));
    }

    /** Sends retained messages owed, as far as the socket and the window take them (nothing when none are). */
    void drainRetained() {
        if (retainedBacklog != null) {
            retainedBacklog.drain();
        }
    }

    PacketHold hold() {
        return hold != null ? hold : (hold = new PacketHold(this));
    }

    /** The client's DISCONNECT: its will is discarded or kept, and the session's expiry may change. */
    void disconnect(MqttMessage m) {
        ClientDisconnect.Outcome o = ClientDisconnect.of(m, v5(), sessionExpiry, server.config.maxSessionExpirySeconds());
        if (o == null) {
            violations.protocolError("DISCONNECT sets a Session Expiry Interval after CONNECT set 0"
                    + " (MQTT 5 section 3.14.2.2.2)");
            return;
        }
        sessionExpiry = o.expiry();
        discardWill = o.discardWill();
        entry.because("client disconnected" + (discardWill ? "" : " with its will"));
        ctx.close();
    }

    boolean v5Attr() {
        // Before CONNECT is processed, the codec already knows the version it decoded the CONNECT with.
        return v5() || ctx.channel().attr(PacketGuard.CODEC_VERSION).get() == MqttVersion.MQTT_5;
    }

    /** Refuses the CONNECT with {@code reason} in the CONNACK form of the client's version. */
    void refuse(ReasonCode reason) {
        refuse(reason.connack(v5Attr()));
    }

    void refuse(MqttConnectReturnCode code) {
        state = State.CLOSED;
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes without a word: nothing may be sent to this client (its CONNACK would be too large for it). */
    void closeSilently() {
        state = State.CLOSED;
        ctx.close();
    }

    void closeWith(ReasonCode reason) {
        closeWith(reason, null);
    }

    /**
     * The one way this server ends a connection for a reason: an MQTT 5 client is told why with a DISCONNECT
     * [MQTT-4.13.1-1] that carries {@code why} as its Reason String when that fits the client's Maximum Packet Size
     * [MQTT-3.14.2-3]; a CONNECT refused this way gets a CONNACK with the reason instead [MQTT-3.1.4-1,
     * MQTT-3.2.2-8]; MQTT 3.1.1 has no DISCONNECT from the server, so the connection is closed.
     */
    void closeWith(ReasonCode reason, String why) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.AWAIT_CONNECT && v5Attr() && reason.connack(true) != null) {
            refuse(reason);
            return;
        }
        boolean tell = v5() && state == State.CONNECTED;
        state = State.CLOSED;
        entry.because(reason, why);
        if (tell) {
            ctx.writeAndFlush(DisconnectPacket.of(reason, why, client.clientMaxPacket()))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            // What was written before (a CONNACK whose flush is still queued, when a takeover closes a connection
            // that has just been accepted) still goes out.
            ctx.flush();
            ctx.close();
        }
    }

    /** Another connection took this client id over [MQTT-3.1.4-2]; called from any thread. */
    void takenOver() {
        onLoop(() -> {
            takenOver = true;
            LOG.debug("MQTT client '{}' ({}) taken over by a new connection", clientId(), remote());
            closeWith(ReasonCode.SESSION_TAKEN_OVER);
        });
    }

    /** Nothing for 1.5 times the keep alive: the client is gone [MQTT-3.1.2-24 (3.1.1), MQTT-3.1.2-22 (5.0)]. */
    void keepAliveExpired() {
        LOG.debug("MQTT client '{}' ({}) exceeded its keep alive; closing", clientId(), remote());
        closeWith(ReasonCode.KEEP_ALIVE_TIMEOUT);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt == PacketGuard.PublishArriving.INSTANCE) {
            reading.becomePublisher(); // a large PUBLISH is being buffered: under the memory alarm, leave the rest unread
            return;
        }
        context.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        boolean writable = context.channel().isWritable();
        out.writabilityChanged(writable); // writable resumes the consumers
        if (writable) {
            drainRetained();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("MQTT connection {} failed", remote(), cause);
        entry.because("socket error: " + cause.getMessage());
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        out.closed();
        reading.closed();
        keepAlive.stop();
        boolean wasConnected = session != null;
        state = State.CLOSED;
        if (hold != null) {
            hold.discard();
        }
        if (quota != null) {
            quota.close();
        }
        entry.closed();
        connectArrived();
        if (wasConnected) {
            leaveSession();
        }
    }

    /**
     * The connection is over while it owns {@code session}: deliveries in flight go back, the will goes out (or is
     * scheduled) unless a DISCONNECT discarded it, and the session is detached; when another connection took it
     * over, the session lives on with that one and only an undelayed will still goes out.
     */
    void leaveSession() {
        outbound.release();
        server.sessions.closed(session, this, discardWill ? null : client.will(), takenOver, sessionExpiry);
        LOG.debug("MQTT client '{}' disconnected", clientId());
    }

    boolean v5() {
        return client != null && client.v5();
    }

    String clientId() {
        return client == null ? null : client.clientId();
    }

    UserConfig user() {
        return topics.rights() == null ? client.user() : topics.rights().user(); // renewed by re-authentication
    }

    MqttSession session() {
        return session;
    }

    /** The session's expiry interval now: the one granted at CONNECT, or set by the client's DISCONNECT. */
    long sessionExpiry() {
        return sessionExpiry;
    }

    /** The client's Maximum Packet Size (MQTT 5); larger outbound packets are dropped [MQTT-3.1.2-25]. */
    long clientMaxPacket() {
        return client == null ? Long.MAX_VALUE : client.clientMaxPacket();
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

    /** False once the socket closed and {@link #channelInactive} ran. */
    boolean socketOpen() {
        return out.open();
    }

    InetAddress address() {
        return ctx != null && ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    String remote() {
        return ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress());
    }
}
