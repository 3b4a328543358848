package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.AmqpFrameDecoder;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.HeartbeatFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ProtocolHeaderOk;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.HandshakeCompleted;
import dev.junction.routing.api.Message;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP 0-9-1 connection: the Netty handler that owns channel 0 (the {@link Handshake}, close, update-secret)
 * and dispatches every other frame to its channel in the {@link ChannelTable}. Its parts: {@link FrameOutput}
 * writes, {@link InboundOrder} holds frames back while an engine call answers later, {@link PublisherFlow} stops
 * reading a publisher the broker cannot keep up with, {@link ContentInFlight} bounds the message content it holds,
 * {@link Heartbeats} watches the peer and {@link ConnectionClose} ends the connection. What the handshake settled
 * is kept as one immutable {@link ConnectionTerms}.
 *
 * <p>Everything here runs on the connection's event loop; queue threads hand deliveries over through
 * {@link FrameOutput#deliver}, and they are written on the event loop, where delivery tags are assigned in send
 * order.
 */
public final class AmqpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;
    /** Deliveries that may wait for the event loop before this connection's consumers are paused. */
    private static final int MAX_PENDING_DELIVERIES = 2048;

    private final AmqpSettings settings;
    private final Engine engine;
    private final Handshake handshake;
    private final ChannelTable channels;
    /** Message content received on this connection and not yet accepted by queues. */
    private final ContentInFlight content;
    private final ConnectionPeer peer = new ConnectionPeer();
    private final Settlements settlements = new Settlements();
    private ChannelHandlerContext ctx;
    /** Deliveries in, writes out, consumers paused and reads stopped: the part every protocol shares. */
    private DeliveryOutlet outlet;
    private FrameOutput out;
    private InboundOrder inbound;
    /** Reading stops under the memory alarm and while a queue this connection publishes to is congested. */
    private PublisherFlow flow;
    private Heartbeats heartbeats;
    /** What the handshake settled; null until connection.open. */
    private ConnectionTerms terms;
    /** This connection's slot in its vhost's and user's connection limits; null until connection.open. */
    private ConnectionQuotas.Lease quota;
    private ConnectionClose close;
    /** This connection in the engine's connection registry, with its open and close log lines. */
    private ConnectionEntry entry;
    private boolean cleanedUp;

    public AmqpConnection(AmqpSettings settings, Engine engine) {
        this.settings = settings;
        this.engine = engine;
        this.handshake = new Handshake(this, settings, engine, new Authenticator(settings.users(),
                engine.authorization().users()));
        this.channels = new ChannelTable(engine.connectionQuotas());
        // One message of the largest allowed size must always fit.
        this.content = new ContentInFlight(this::runOnEventLoop, this::contentOverCap,
                Math.max(settings.maxContentInFlightBytes(), settings.maxMessageSize()));
    }

    // ---- Netty callbacks ----------------------------------------------------------------------------------------

    /**
     * The connection's state exists from the moment it is in a pipeline, not from channelActive: a socket refused
     * before it becomes active (the connection limit) still reaches channelInactive, and cleanup needs it.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        peer.attach(ctx.channel());
        this.outlet = new DeliveryOutlet(ctx.executor(), MAX_PENDING_DELIVERIES, () -> out.flushSocket(),
                channels::resumeConsumers, on -> ctx.channel().config().setAutoRead(on));
        this.flow = new PublisherFlow(new FlowConnection(), engine, outlet, ctx.executor());
        this.out = new FrameOutput(ctx, outlet, settings.frameMax());
        this.inbound = new InboundOrder(ctx.executor(), flow, this::handle, this::fail, this::isOpen, this::flush,
                () -> { if (terms != null) { terms.access().settled(); } }); // per frame: allocates nothing
        this.entry = new ConnectionEntry(this, ctx, channels);
        this.heartbeats = new Heartbeats(this::warnAboutPeer, ctx, flow, entry::because, out::lastOutputNanos,
                () -> close.closedByClient());
        this.close = new ConnectionClose(this::warnAboutPeer, ctx, out, inbound, this::cleanup, entry::because);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (terms == null && ctx.channel().isActive()) {
                warn("{}: closing: no complete handshake within {} s", peer(), HANDSHAKE_TIMEOUT_SECONDS);
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        AmqpFrame frame = (AmqpFrame) msg;
        if (close.closing()) {
            close.whileClosing(frame); // nothing is kept for a connection that is going away
        } else {
            inbound.read(frame);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flow.read();
        flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        outlet.writabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            heartbeats.idle(idle, close.closedByClient());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        outlet.closed();
        out.closed();
        cleanup();
        entry.closed();
        LOG.debug("{}: connection closed", peer());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof AmqpException e) {
            fail(e);
        } else if (root instanceof IOException) {
            LOG.debug("{}: connection error: {}", peer(), root.toString());
            entry.because("socket error: " + root.getMessage());
            ctx.close();
        } else {
            LOG.error("{}: internal error, closing the connection", peer(), root);
            fail(AmqpException.connection(ReplyCode.INTERNAL_ERROR, "internal error, see the broker log"));
        }
    }

    // ---- frame handling ---------------------------------------------------------------------------------------

    private void handle(AmqpFrame frame) {
        if (close.closing()) {
            close.whileClosing(frame); // a frame parked before the connection began to end
            return;
        }
        if (!Settlements.isSettlement(frame)) {
            settlements.flush(); // acknowledgements held go before anything else the client sent after them
        }
        try {
            if (frame instanceof ProtocolHeaderOk) {
                handshake.start();
            } else if (frame instanceof HeartbeatFrame hb) {
                if (hb.channel() != 0) {
                    // Heartbeats belong to channel 0 [AMQP 0-9-1 4.2.7]; RabbitMQ answers others as unexpected.
                    throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                            "heartbeat frame on channel " + hb.channel());
                }
            } else if (frame instanceof MethodFrame mf) {
                if (mf.channel() == 0) {
                    connectionMethod(mf.method());
                } else {
                    channelFor(mf.channel(), mf.method()).method(mf.method());
                }
            } else if (frame instanceof ContentHeaderFrame h) {
                channels.get(h.channel()).contentHeader(h);
            } else if (frame instanceof ContentBodyFrame b) {
                channels.get(b.channel()).contentBody(b);
            }
        } catch (AmqpException e) {
            if (e.hardError()) {
                fail(e);
            } else {
                AmqpChannel ch = channels.find(ChannelTable.channelOf(frame));
                if (ch != null) {
                    ch.fail(e);
                }
            }
        }
    }

    private void connectionMethod(Method m) {
        switch (m.type()) {
            case CONNECTION_START_OK, CONNECTION_SECURE_OK, CONNECTION_TUNE_OK, CONNECTION_OPEN -> handshake.method(m);
            case CONNECTION_CLOSE -> {
                LOG.debug("{}: client closed the connection: {} {}", peer(), m.integer("reply-code"),
                        m.str("reply-text"));
                close.byClient();
            }
            case CONNECTION_CLOSE_OK -> ctx.close();
            case CONNECTION_UPDATE_SECRET -> {
                requireOpen(m);
                handshake.updateSecret(m);
            }
            default -> throw AmqpException.connection(ReplyCode.COMMAND_INVALID, ""
                    + m.type().amqpName() + " is not valid on channel 0", m.type());
        }
    }

    private void requireOpen(Method m) {
        if (terms == null) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "connection is not open", m.type());
        }
    }

    private AmqpChannel channelFor(int number, Method m) {
        requireOpen(m);
        if (m.type() == MethodType.CHANNEL_OPEN) {
            ChannelContext context = new ChannelContext(engine, terms, engine.connections().directReplies(),
                    settings.maxMessageSize(), content, flow, this, settings.consumerTimeoutMs(), settlements);
            return channels.open(number, terms, n -> new AmqpChannel(this, n, context, out));
        }
        return channels.get(number, m.type());
    }

    void channelClosed(int number) {
        channels.closed(number, terms.user().name());
    }

    /** See {@link InboundOrder#await}: later frames wait until {@code call}'s answer was handled. */
    <T> void await(Supplier<CompletableFuture<T>> call, BiConsumer<T, Throwable> then) {
        inbound.await(call, then);
    }

    /** See {@link InboundOrder#holdFor}: a throttled login waits without blocking the event loop. */
    void holdFor(long delayMs, CompletableFuture<?> ready, Runnable then) {
        inbound.holdFor(delayMs, ready, then);
    }

    // ---- output -----------------------------------------------------------------------------------------------

    void send(int channel, Method m) {
        out.send(channel, m);
    }

    void flush() {
        settlements.flush();
        out.flush();
    }

    void runOnEventLoop(Runnable r) {
        ctx.executor().execute(r);
    }

    ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
        return ctx.executor().schedule(r, delay, unit);
    }

    // ---- lifecycle --------------------------------------------------------------------------------------------

    /** Negotiated at tune-ok: the frame limit of decoder and encoder, and the heartbeat watchdog. */
    void tuned(Tuning tuning) {
        ctx.pipeline().get(AmqpFrameDecoder.class).frameMax(tuning.frameMax());
        out.frameMax(tuning.frameMax());
        heartbeats.start(tuning.heartbeatSeconds());
    }

    /** connection.open passed the handshake's checks: the connection takes its quota slot and keeps its terms. */
    void opened(ConnectionTerms opened) {
        try {
            // RabbitMQ's vhost and user limits max-connections, checked at connection.open as RabbitMQ does.
            quota = engine.connectionQuotas().open(opened.user().name(), opened.vhost().name());
        } catch (BrokerException e) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, e.getMessage(), MethodType.CONNECTION_OPEN);
        }
        // Through its handshake: the listener's handshake slot and timeout no longer apply.
        ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        this.terms = opened;
        entry.opened(opened, engine.connections());
        engine.watchAlarm(flow.memoryListener);
        if (engine.alarmRaised()) {
            flow.memoryAlarm(true);
        }
    }

    void contentOverCap(boolean over) {
        flow.hold(over);
    }

    /** A warning a client can provoke at will: rate-limited per source address, see WarningLimiter. */
    void warn(String format, Object... args) {
        engine.clientWarnings().warn(LOG, peerAddress(), format, args);
    }

    /** {@link #warn}s {@code line}, prefixed with the peer. */
    private void warnAboutPeer(String line) {
        warn("{}: {}", peer(), line);
    }

    boolean isOpen() {
        return !close.closing() && ctx.channel().isActive();
    }

    /** A hard error: send connection.close with the code and wait (briefly) for close-ok. */
    void fail(AmqpException e) {
        close.fail(e);
    }

    /** Ends a refused login whose one log line the handshake wrote: {@code e} sent, or (null) the socket closed. */
    void refused(AmqpException e) {
        close.refused(e);
    }

    /** Refuses the handshake by closing the socket right away (no connection.close is possible yet). */
    void abort(String why) {
        close.abort(why);
    }

    private void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        settlements.flush();
        channels.releaseAll(terms == null ? null : terms.user().name());
        if (quota != null) {
            quota.close();
        }
        engine.unwatchAlarm(flow.memoryListener);
        if (terms != null) {
            terms.vhost().ownerClosed(this);
        }
    }

    String peer() {
        return peer.label();
    }

    /** The user name from this connection's verified TLS client certificate, or null (see CertificateIdentity). */
    String certificateIdentity() {
        return peer.certificateIdentity();
    }

    InetAddress peerAddress() {
        return peer.address();
    }

    /** What {@link PublisherFlow} needs of this connection. */
    private final class FlowConnection implements PublisherFlow.Connection {
        @Override
        public boolean isOpen() {
            return AmqpConnection.this.isOpen();
        }

        @Override
        public boolean understandsBlocked() {
            return terms != null && terms.clientHasCapability("connection.blocked");
        }

        @Override
        public void tell(Method m) {
            send(0, m);
            flush();
        }

        @Override
        public void resumeParked() {
            inbound.resume(); // frames held back while a memory alarm blocked the publisher
        }
    }
}
