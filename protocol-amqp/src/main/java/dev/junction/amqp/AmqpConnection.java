package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.AmqpFrameDecoder;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentFit;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.HeartbeatFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ProtocolHeaderOk;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.UserConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.HandshakeCompleted;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP 0-9-1 connection: the handshake, channel 0, dispatch of frames to channels, heartbeats, output
 * batching and the two ways a connection ends (a client close or a hard error).
 *
 * <p>Everything here runs on the connection's event loop except {@link #deliver}, which queue threads call;
 * deliveries are queued and drained on the event loop, where delivery tags are assigned in send order.
 *
 * <p>Engine calls that answer with a future (consume, get, purge, delete) pause frame processing for the whole
 * connection until they complete, so replies keep the order the client sent its methods in.
 */
public final class AmqpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;
    private static final io.netty.util.AttributeKey<String> CERTIFICATE_IDENTITY =
            io.netty.util.AttributeKey.valueOf(dev.junction.routing.api.CertificateIdentity.CHANNEL_ATTRIBUTE);
    private static final int MAX_PENDING_DELIVERIES = 2048;
    /**
     * How long the socket stays open after close-ok for a client that closed the connection, so frames it sent
     * before our close-ok (publishes in flight) are read and discarded instead of resetting the connection under
     * the client before it reads close-ok.
     */
    private static final long CLOSE_OK_LINGER_SECONDS = 10;

    final AmqpSettings settings;
    final RoutingEngine engine;
    final DirectReplyTo directReplyTo;
    private final Handshake handshake;
    private final Map<Integer, AmqpChannel> channels = new HashMap<>();
    private final ArrayDeque<AmqpFrame> parked = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean flushPending;
    private boolean closing;
    /** The client sent connection.close and we answered close-ok: only waiting for the socket to close. */
    private boolean closedByClient;
    private volatile boolean writable = true;
    /** Reading stops under the memory alarm and while a queue this connection publishes to is congested. */
    private PublisherFlow flow;
    /** False once the socket closed: queues must stop handing deliveries (autoack ones would be lost). */
    private volatile boolean open = true;
    private dev.junction.routing.queue.Handoff handoff;
    /** Message content received on this connection and not yet accepted by queues. */
    final ContentInFlight content;

    // Set by the handshake.
    UserConfig user;
    /** This connection's slot in its vhost's and user's connection limits; null until connection.open. */
    private ConnectionQuotas.Lease quota;
    VirtualHost vhost;
    AccessControl access;
    int frameMax;
    int channelMax;
    Map<String, Object> clientCapabilities = Map.of();

    public AmqpConnection(AmqpSettings settings, RoutingEngine engine, DirectReplyTo directReplyTo) {
        this.settings = settings;
        this.engine = engine;
        this.directReplyTo = directReplyTo;
        this.handshake = new Handshake(this, new Authenticator(settings.users()));
        this.frameMax = settings.frameMax();
        this.channelMax = settings.channelMax();
        // One message of the largest allowed size must always fit.
        this.content = new ContentInFlight(this, Math.max(settings.maxContentInFlightBytes(),
                settings.maxMessageSize()));
    }

    // ---- Netty callbacks ----------------------------------------------------------------------------------------

    /**
     * The connection's state exists from the moment it is in a pipeline, not from channelActive: a socket refused
     * before it becomes active (the connection limit) still reaches channelInactive, and cleanup needs it.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flow = new PublisherFlow(this, on -> ctx.channel().config().setAutoRead(on));
        this.handoff = new dev.junction.routing.queue.Handoff(ctx.executor(), MAX_PENDING_DELIVERIES, this::flush,
                () -> channels.values().forEach(AmqpChannel::resumeConsumers));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (vhost == null && ctx.channel().isActive()) {
                warn("{}: closing: no complete handshake within {} s", peer(), HANDSHAKE_TIMEOUT_SECONDS);
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        AmqpFrame frame = (AmqpFrame) msg;
        if (closing) {
            handle(frame); // discarded at once: nothing is kept for a connection that is going away
            return;
        }
        if (busy || flow.blocked()) {
            parked.add(frame);
            return;
        }
        handle(frame);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flow.read();
        flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writable = ctx.channel().isWritable();
        if (writable) {
            channels.values().forEach(AmqpChannel::resumeConsumers);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (closedByClient) {
                // Nothing more is sent after close-ok, heartbeats included; a silent client has had its chance.
                if (idle.state() == IdleState.READER_IDLE) {
                    ctx.close();
                }
                return;
            }
            if (idle.state() == IdleState.READER_IDLE && flow.stoppedSinceAsked()) {
                return; // we stopped reading; silence is ours, not the client's
            }
            if (idle.state() == IdleState.READER_IDLE) {
                warn("{}: missed heartbeats from client, closing the connection", peer());
                // Reset rather than close: an orderly close would queue the FIN behind every delivery the client
                // has not read yet, and a client that stopped reading would never learn the connection is gone.
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            } else if (idle.state() == IdleState.WRITER_IDLE) {
                ByteBuf out = ctx.alloc().buffer(8);
                AmqpEncoder.writeHeartbeat(out);
                ctx.writeAndFlush(out);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open = false;
        cleanup();
        LOG.debug("{}: connection closed", peer());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof AmqpException e) {
            fail(e);
        } else if (root instanceof java.io.IOException) {
            LOG.debug("{}: connection error: {}", peer(), root.toString());
            ctx.close();
        } else {
            LOG.error("{}: internal error, closing the connection", peer(), root);
            fail(AmqpException.connection(ReplyCode.INTERNAL_ERROR, "internal error, see the broker log", 0, 0));
        }
    }

    // ---- frame handling ---------------------------------------------------------------------------------------

    private void handle(AmqpFrame frame) {
        if (closedByClient) {
            return; // after our close-ok, everything the client still sends is discarded [AMQP 0-9-1 connection.close]
        }
        if (closing) {
            // After we sent connection.close only close and close-ok matter [AMQP 0-9-1 4.2.5? connection.close].
            if (frame instanceof MethodFrame mf && mf.channel() == 0
                    && (mf.method().type() == MethodType.CONNECTION_CLOSE_OK
                        || mf.method().type() == MethodType.CONNECTION_CLOSE)) {
                if (mf.method().type() == MethodType.CONNECTION_CLOSE) {
                    send(0, MethodType.CONNECTION_CLOSE_OK.with());
                }
                ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        try {
            if (frame instanceof ProtocolHeaderOk) {
                handshake.start();
            } else if (frame instanceof HeartbeatFrame hb) {
                if (hb.channel() != 0) {
                    // Heartbeats belong to channel 0 [AMQP 0-9-1 4.2.7]; RabbitMQ answers others as unexpected.
                    throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                            "heartbeat frame on channel " + hb.channel(), 0, 0);
                }
            } else if (frame instanceof MethodFrame mf) {
                if (mf.channel() == 0) {
                    connectionMethod(mf.method());
                } else {
                    channelFor(mf.channel(), mf.method()).method(mf.method());
                }
            } else if (frame instanceof ContentHeaderFrame h) {
                openChannel(h.channel()).contentHeader(h);
            } else if (frame instanceof ContentBodyFrame b) {
                openChannel(b.channel()).contentBody(b);
            }
        } catch (AmqpException e) {
            if (e.hardError()) {
                fail(e);
            } else {
                AmqpChannel ch = channels.get(channelOf(frame));
                if (ch != null) {
                    ch.fail(e);
                }
            }
        }
    }

    private static int channelOf(AmqpFrame f) {
        if (f instanceof MethodFrame m) {
            return m.channel();
        }
        if (f instanceof ContentHeaderFrame h) {
            return h.channel();
        }
        if (f instanceof ContentBodyFrame b) {
            return b.channel();
        }
        return 0;
    }

    private void connectionMethod(Method m) {
        switch (m.type()) {
            case CONNECTION_START_OK, CONNECTION_SECURE_OK, CONNECTION_TUNE_OK, CONNECTION_OPEN -> handshake.method(m);
            case CONNECTION_CLOSE -> {
                LOG.debug("{}: client closed the connection: {} {}", peer(), m.integer("reply-code"),
                        m.str("reply-text"));
                cleanup();
                closing = true;
                busy = false;
                parked.clear();
                send(0, MethodType.CONNECTION_CLOSE_OK.with());
                flush();
                closedByClient = true; // from here on nothing is written (a late confirm, a delivery in flight)
                // The client closes the socket once it has read close-ok; until then (or the linger time) keep
                // reading and discarding what it sent before it saw our close-ok, instead of closing on unread
                // input, which resets the connection and loses close-ok on the client's side.
                ctx.channel().config().setAutoRead(true);
                ctx.executor().schedule(() -> {
                    ctx.close();
                }, CLOSE_OK_LINGER_SECONDS, TimeUnit.SECONDS);
            }
            case CONNECTION_CLOSE_OK -> ctx.close();
            case CONNECTION_UPDATE_SECRET -> {
                requireOpen(m);
                handshake.updateSecret(m);
            }
            default -> throw AmqpException.connection(ReplyCode.COMMAND_INVALID, ""
                    + m.type().amqpName() + " is not valid on channel 0", m.type().classId(), m.type().methodId());
        }
    }

    private void requireOpen(Method m) {
        if (vhost == null) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "connection is not open",
                    m.type().classId(), m.type().methodId());
        }
    }

    private AmqpChannel channelFor(int number, Method m) {
        requireOpen(m);
        if (m.type() == MethodType.CHANNEL_OPEN) {
            if (number > channelMax) {
                throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "channel number " + number
                        + " exceeds the negotiated channel_max " + channelMax, 20, 10);
            }
            if (channels.containsKey(number)) {
                throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen",
                        20, 10);
            }
            try {
                // RabbitMQ's user limit max-channels, over all of the user's connections: 530, connection closed.
                engine.connectionQuotas().openChannel(user.name());
            } catch (BrokerException e) {
                throw AmqpException.connection(ReplyCode.NOT_ALLOWED, e.getMessage(), 20, 10);
            }
            AmqpChannel ch = new AmqpChannel(this, number);
            channels.put(number, ch);
            return ch;
        }
        return openChannel(number, m.type().classId(), m.type().methodId());
    }

    private AmqpChannel openChannel(int number) {
        return openChannel(number, 0, 0);
    }

    private AmqpChannel openChannel(int number, int classId, int methodId) {
        AmqpChannel ch = channels.get(number);
        if (ch == null) {
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel "
                    + number, classId, methodId);
        }
        return ch;
    }

    void channelClosed(int number) {
        if (channels.remove(number) != null) {
            engine.connectionQuotas().closeChannel(user.name());
        }
    }

    /**
     * Runs an engine call whose answer is a future, holding back the connection's further frames until it is
     * done; {@code then} runs on the event loop with the result.
     */
    <T> void await(Supplier<CompletableFuture<T>> call, java.util.function.BiConsumer<T, Throwable> then) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            then.accept(null, e);
            return;
        }
        if (f.isDone()) {
            T value = null;
            Throwable error = null;
            try {
                value = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                error = e.getCause();
            }
            then.accept(value, error);
            return;
        }
        busy = true;
        f.whenComplete((value, error) -> ctx.executor().execute(() -> {
            busy = false;
            try {
                then.accept(value, error instanceof java.util.concurrent.CompletionException ? error.getCause() : error);
            } catch (AmqpException e) {
                // Soft errors are handled by the channel's own catch in its continuation.
                fail(e);
            }
            resumeParked();
        }));
    }

    void resumeParked() {
        while (!busy && !flow.blocked() && !parked.isEmpty()) {
            handle(parked.poll());
        }
        flush();
    }

    // ---- output -----------------------------------------------------------------------------------------------

    void send(int channel, Method m) {
        ByteBuf out = ctx.alloc().buffer(64);
        AmqpEncoder.writeMethod(out, channel, m);
        write(out);
    }

    /**
     * Writes a method with its content. Properties AMQP cannot carry (a message from another protocol with a
     * shortstr property over 255 bytes, say) are sent fitted by {@link ContentFit}. Throws
     * IllegalArgumentException, with nothing written and nothing leaked, when the method itself cannot be encoded;
     * the caller settles the delivery.
     */
    void sendWithContent(int channel, Method m, Message message) {
        MessageProperties p = message.properties();
        ByteBuf out = ctx.alloc().buffer(128 + message.bodySize());
        try {
            AmqpEncoder.writeMethod(out, channel, m);
            try {
                AmqpEncoder.writeContent(out, channel, 60, p, message.body(), frameMax);
            } catch (IllegalArgumentException e) {
                AmqpEncoder.writeContent(out, channel, 60, ContentFit.fit(p), message.body(), frameMax);
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        write(out);
    }

    private void write(ByteBuf out) {
        if (closedByClient) {
            out.release(); // close-ok was the last frame [AMQP 0-9-1 connection.close-ok]
            return;
        }
        ctx.write(out, ctx.voidPromise());
        if (!flushPending) {
            flushPending = true;
            // Coalesce: everything written during this event-loop task goes out in one flush.
            ctx.executor().execute(this::flush);
        }
    }

    void flush() {
        flushPending = false;
        ctx.flush();
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        handoff.submit(onEventLoop);
    }

    /** Whether consumers on this connection may be given more deliveries now. */
    boolean canTakeDeliveries() {
        return open && writable && handoff.hasRoom();
    }

    void runOnEventLoop(Runnable r) {
        ctx.executor().execute(r);
    }

    // ---- lifecycle --------------------------------------------------------------------------------------------

    /** Negotiated after tune-ok: the decoder's frame limit and the heartbeat watchdog. */
    void tuned(int negotiatedFrameMax, int negotiatedChannelMax, int heartbeatSeconds) {
        this.frameMax = negotiatedFrameMax;
        this.channelMax = negotiatedChannelMax;
        ctx.pipeline().get(AmqpFrameDecoder.class).frameMax(negotiatedFrameMax);
        if (heartbeatSeconds > 0) {
            long intervalMs = heartbeatSeconds * 1000L;
            // We send after half an interval without output, as RabbitMQ does, so a client that expects a frame
            // within every interval always gets one; a peer silent for two intervals is gone [AMQP 0-9-1 4.2.7].
            ctx.pipeline().addBefore(ctx.name(), "heartbeat",
                    new IdleStateHandler(intervalMs * 2, intervalMs / 2, 0, TimeUnit.MILLISECONDS));
        }
    }

    void opened(UserConfig user, VirtualHost vhost, AccessControl access) {
        try {
            // RabbitMQ's vhost and user limits max-connections, checked at connection.open as RabbitMQ does.
            quota = engine.connectionQuotas().open(user.name(), vhost.name());
        } catch (BrokerException e) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, e.getMessage(), 10, 40);
        }
        // Through its handshake: the listener's handshake slot and timeout no longer apply.
        ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        this.user = user;
        this.vhost = vhost;
        this.access = access;
        LOG.info("{}: connection opened for user '{}' in vhost '{}'", peer(), user.name(), vhost.name());
        engine.memoryAlarm().subscribe(flow.memoryListener);
        if (engine.memoryAlarm().raised()) {
            flow.memoryAlarm(true);
        }
    }

    private java.util.concurrent.ScheduledFuture<?> credentialExpiry;

    /**
     * The login's credentials (an access token) lapse at {@code at}: the connection is closed then with 403
     * ACCESS_REFUSED, as its access ends, unless connection.update-secret renews it first. Replaces an earlier
     * expiry.
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
            if (!closing && ctx.channel().isActive()) {
                LOG.info("{}: the access token of user '{}' expired; closing", peer(), user == null ? "" : user.name());
                fail(AmqpException.connection(ReplyCode.ACCESS_REFUSED, "ACCESS_REFUSED - the access token expired",
                        0, 0));
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** Called when this connection publishes: a raised alarm blocks it now. */
    void published() {
        flow.published(engine.memoryAlarm().raised());
    }

    void contentOverCap(boolean over) {
        flow.hold(over);
    }

    /**
     * Runs {@code then} after {@code delayMs} on the event loop, reading nothing and handling no frame meanwhile
     * (a throttled login: the wait must never block the event loop). Skipped if the connection ends first.
     */
    void holdFor(long delayMs, Runnable then) {
        holdFor(delayMs, java.util.concurrent.CompletableFuture.completedFuture(null), then);
    }

    /** As {@link #holdFor(long, Runnable)}, waiting first for {@code ready} (a slow password check off the loop). */
    void holdFor(long delayMs, java.util.concurrent.CompletableFuture<?> ready, Runnable then) {
        if (delayMs <= 0 && ready.isDone()) {
            then.run();
            return;
        }
        busy = true;
        flow.hold(true);
        ready.whenComplete((done, error) -> ctx.executor().schedule(() -> {
            busy = false;
            flow.hold(false);
            if (closing || !ctx.channel().isActive()) {
                return;
            }
            try {
                then.run();
            } catch (AmqpException e) {
                fail(e);
            }
            resumeParked();
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS));
    }

    /** A warning a client can provoke at will: rate-limited per source address, see WarningLimiter. */
    void warn(String format, Object... args) {
        engine.clientWarnings().warn(LOG, peerAddress(), format, args);
    }

    void congested(PublishResult result) {
        flow.congested(result);
    }

    boolean isOpen() {
        return !closing && ctx.channel().isActive();
    }

    /** A hard error: send connection.close with the code and wait (briefly) for close-ok. */
    void fail(AmqpException e) {
        if (closing) {
            return;
        }
        warn("{}: closing connection: {} {}", peer(), e.replyCode(), e.getMessage());
        cleanup();
        closing = true;
        busy = false;
        parked.clear();
        if (ctx.channel().isActive()) {
            send(0, MethodType.CONNECTION_CLOSE.with(e.replyCode(), e.replyText(), e.classId(), e.methodId()));
            flush();
            ctx.executor().schedule(() -> {
                ctx.close();
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Refuses the handshake by closing the socket right away (no connection.close is possible yet). */
    void abort(String why) {
        warn("{}: {}", peer(), why);
        closing = true;
        ctx.close();
    }

    private boolean cleanedUp;

    private void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        for (AmqpChannel ch : channels.values().toArray(new AmqpChannel[0])) {
            ch.release();
            engine.connectionQuotas().closeChannel(user.name());
        }
        channels.clear();
        if (quota != null) {
            quota.close();
        }
        engine.memoryAlarm().unsubscribe(flow.memoryListener);
        if (vhost != null) {
            vhost.ownerClosed(this);
        }
    }

    String peer() {
        if (ctx == null) {
            return "amqp";
        }
        InetSocketAddress a = (InetSocketAddress) ctx.channel().remoteAddress();
        return a == null ? "amqp" : "amqp " + a.getHostString() + ":" + a.getPort();
    }

    /** The user name from this connection's verified TLS client certificate, or null (see CertificateIdentity). */
    String certificateIdentity() {
        return ctx == null ? null : ctx.channel().attr(CERTIFICATE_IDENTITY).get();
    }

    java.net.InetAddress peerAddress() {
        InetSocketAddress a = (InetSocketAddress) ctx.channel().remoteAddress();
        return a == null ? null : a.getAddress();
    }

    boolean clientHasCapability(String name) {
        return Boolean.TRUE.equals(clientCapabilities.get(name));
    }
}
