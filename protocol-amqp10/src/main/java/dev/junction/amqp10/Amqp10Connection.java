package dev.junction.amqp10;

import dev.junction.routing.api.CertificateIdentity;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ClientConnection;
import dev.junction.routing.api.ClientProtocol;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.api.ConnectionRecord;
import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.ForcedClose;
import dev.junction.routing.api.HandshakeCompleted;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP 1.0 connection: the Netty handler that drives proton-j's protocol engine (its {@link Transport},
 * {@link Connection} and {@link Collector}) on the connection's event loop. Bytes read go into the transport, the
 * events it raises go to the {@link Dispatcher}, and what it has to send is written out, once per task through
 * the {@link DeliveryOutlet}'s coalesced flush. Queue threads reach the connection only through the outlet's
 * handoff; engine futures that complete elsewhere come back with {@link #onLoop}. Nothing here blocks.
 *
 * <p>Before proton sees a byte the protocol header is read: {@code AMQP 3 1 0 0} starts SASL; {@code AMQP 0 1 0 0}
 * (no SASL) is accepted only when anonymous logins are, else answered with the SASL header and closed [AMQP 1.0
 * part 2 section 2.2: a server answers a header it does not accept with the one it does, and closes].
 */
final class Amqp10Connection extends ChannelInboundHandlerAdapter implements ClientConnection {
    static final Logger LOG = LoggerFactory.getLogger(Amqp10Connection.class);
    /** Deliveries that may wait for the event loop before this connection's consumers are paused. */
    private static final int MAX_PENDING_DELIVERIES = 2048;
    private static final int HEADER_LENGTH = 8;
    /** Rounds (about a frame each) a pump runs before it yields the loop; a larger transfer goes on in a new task. */
    private static final int ROUNDS_PER_TURN = 64;
    private static final AttributeKey<String> CERTIFICATE_IDENTITY =
            AttributeKey.valueOf(CertificateIdentity.CHANNEL_ATTRIBUTE);

    private final Amqp10Server server;
    private final ConnectionRecord record = new ConnectionRecord(LOG);
    private ChannelHandlerContext ctx;
    private DeliveryOutlet outlet;
    private ByteBuf header;
    private Transport transport;
    private Collector collector;
    private Dispatcher dispatcher;
    /** The connection's SASL layer, null without one. */
    private Sasl sasl;
    private TransportClock clock;
    private boolean closing;
    /** The socket closes once proton's pending output is written (a refused SASL outcome). */
    private boolean ending;
    /** A pump that used up its turn with output left has queued its continuation on the event loop. */
    private boolean resumeQueued;

    Amqp10Connection(Amqp10Server server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clock = new TransportClock(ctx.executor(), this::flushNow);
        this.outlet = new DeliveryOutlet(ctx.executor(), MAX_PENDING_DELIVERIES, this::flushNow, () -> {
            if (dispatcher != null) {
                dispatcher.resumeConsumers();
            }
        }, on -> ctx.channel().config().setAutoRead(on));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            outlet.read();
            if (closing) {
                return; // nothing more is taken from a connection that is going away
            }
            if (transport == null && !header(in)) {
                return;
            }
            feed(in);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushNow();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        outlet.writabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        outlet.closed();
        if (clock != null) {
            clock.stop();
        }
        if (dispatcher != null) {
            dispatcher.connectionGone();
        }
        if (header != null) {
            header.release();
            header = null;
        }
        record.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("{}: connection error: {}", peer(), cause.toString());
            record.because("socket error: " + cause.getMessage());
        } else {
            server.logLimiter().log(LOG::warn, "amqp10-internal", "{}: internal error, closing: {}", peer(),
                    cause.toString());
            record.because("internal error");
        }
        ctx.close();
    }

    // ---- the protocol header and the transport ------------------------------------------------------------------

    /** Gathers the eight header bytes; true once the transport exists and {@code in} holds the rest. */
    private boolean header(ByteBuf in) {
        if (header == null) {
            header = ctx.alloc().buffer(HEADER_LENGTH);
        }
        header.writeBytes(in, Math.min(HEADER_LENGTH - header.readableBytes(), in.readableBytes()));
        if (header.readableBytes() < HEADER_LENGTH) {
            return false;
        }
        byte[] first = new byte[HEADER_LENGTH];
        header.readBytes(first);
        header.release();
        header = null;
        boolean withSasl = Arrays.equals(first, Amqp10Protocol.SASL_HEADER);
        if (!withSasl && !server.settings().anonymousAllowed()) {
            record.because("no SASL, and anonymous logins are not allowed");
            closing = true;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Amqp10Protocol.SASL_HEADER))
                    .addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        transport = Transport.Factory.create();
        transport.setMaxFrameSize(server.settings().maxFrameSize());
        transport.setChannelMax(server.settings().channelMax());
        transport.setIdleTimeout(server.settings().idleTimeoutMs());
        Connection connection = Connection.Factory.create();
        collector = Collector.Factory.create();
        connection.collect(collector);
        dispatcher = new Dispatcher(this, server, connection);
        SaslLogin login = new SaslLogin(this, server, dispatcher::loggedIn);
        if (withSasl) {
            sasl = transport.sasl();
            login.offer(sasl);
        } else {
            dispatcher.loggedIn(login.anonymous());
        }
        transport.bind(connection);
        feed(Unpooled.wrappedBuffer(first));
        return true;
    }

    /** Hands {@code in} to the transport and runs what it raised; a framing error ends the connection. */
    private void feed(ByteBuf in) {
        try {
            while (in.isReadable()) {
                int capacity = transport.capacity();
                if (capacity <= 0) {
                    in.skipBytes(in.readableBytes()); // input side closed: the close is on its way out
                    break;
                }
                ByteBuffer tail = transport.tail();
                int n = Math.min(tail.remaining(), in.readableBytes());
                int limit = tail.limit();
                tail.limit(tail.position() + n);
                in.readBytes(tail);
                tail.limit(limit);
                transport.process();
            }
        } catch (TransportException e) {
            server.logLimiter().log(LOG::warn, "amqp10-framing", "{}: malformed input, closing: {}", peer(),
                    e.getMessage());
            record.because("malformed input: " + e.getMessage());
            malformed();
        }
        pump();
    }

    /** Input that does not decode ends the connection once proton's answer is out: its {@code close} with the
     * condition [part 2 section 2.8.15]; during SASL, whose frames carry none, the outcome {@code sys-perm} [part 5
     * section 5.3.3.6: unrecoverable error] (proton closes nothing itself then: the socket stayed open). */
    private void malformed() {
        if (sasl != null && sasl.getOutcome() == Sasl.SaslOutcome.PN_SASL_NONE) {
            sasl.done(Sasl.SaslOutcome.PN_SASL_PERM);
            ending = true; // after AMQP frames proton ends its output itself, once its close frame is out
        }
    }

    /**
     * Runs the events proton raised and writes what it has to send, until neither is left; then closes the socket
     * once proton's output side is done (after a close frame, or a refused SASL outcome).
     */
    void pump() {
        if (transport == null) {
            return;
        }
        scheduleTick(); // first: what the tick writes (an empty frame, the idle timeout's close) goes out now
        boolean any = false;
        for (int round = 0; round < ROUNDS_PER_TURN; round++) {
            any = dispatcher.drain(collector);
            int pending = transport.pending();
            if (pending > 0) {
                ByteBuffer head = transport.head();
                ByteBuf out = ctx.alloc().buffer(pending);
                ByteBuffer slice = head.duplicate();
                slice.limit(slice.position() + pending);
                out.writeBytes(slice);
                ctx.write(out);
                transport.pop(pending);
                any = true;
            }
            if (!any) {
                break;
            }
        }
        if (any) {
            resumeLater();
        }
        if ((transport.pending() < 0 || (ending && !any)) && !closing) { // ending: once what is left is written
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The turn ended with work left (a large transfer): it goes on in a task of its own at once, not at the
     * client's next frame or the next tick, which may be a heartbeat away or never come. */
    private void resumeLater() {
        if (resumeQueued || closing) {
            return;
        }
        resumeQueued = true;
        try {
            ctx.executor().execute(() -> {
                resumeQueued = false;
                if (transport != null && ctx.channel().isActive()) {
                    flushNow();
                }
            });
        } catch (RejectedExecutionException e) {
            resumeQueued = false; // the event loop is shutting down with the connection
        }
    }

    /** proton's clock, for idle timeouts: ticked after every pump while the connection is up. */
    private void scheduleTick() {
        if (!closing && ctx.channel().isActive()) {
            clock.tick(transport);
        }
    }

    // ---- what the rest of the adapter uses ----------------------------------------------------------------------

    /** Writes what proton has to send and flushes: the outlet's flush, the end of a read, a tick. */
    void flushNow() {
        pump();
        ctx.flush();
    }

    /** proton's state changed on the event loop: its output goes out with this task's one flush. */
    void written() {
        outlet.written();
    }

    /** Runs {@code r} on the event loop, then writes what it produced; a closed loop drops it. */
    void onLoop(Runnable r) {
        try {
            ctx.executor().execute(() -> {
                if (transport != null && ctx.channel().isActive()) {
                    r.run();
                    written();
                }
            });
        } catch (RejectedExecutionException e) {
            // the event loop is shutting down with the connection
        }
    }

    /** Runs {@code r} on the event loop after {@code delayMs}. */
    void schedule(Runnable r, long delayMs) {
        ctx.executor().schedule(r, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Closes the socket after {@code delayMs} unless the client closed it first (it owes us its {@code close}). */
    void closeWithin(long delayMs) {
        schedule(() -> {
            if (ctx.channel().isActive()) {
                ctx.close();
            }
        }, delayMs);
    }

    /**
     * Closes the socket once what proton has to send (a refused SASL outcome) is written: at the end of the
     * current pump, since this may be called from inside the transport's own processing.
     */
    void endAfterOutput() {
        ending = true;
        written();
    }

    DeliveryOutlet outlet() {
        return outlet;
    }

    void because(String why) {
        record.because(why);
    }

    /** The connection is open: listed in the registry, and through the listener's handshake gate. */
    void opened(String user, String vhost, String containerId) {
        ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        ConnectionInfo info = ConnectionInfo.of(ClientProtocol.AMQP_1_0, ConnectionRecord.inet(ctx.channel()
                .remoteAddress()), ConnectionRecord.inet(ctx.channel().localAddress()),
                ctx.pipeline().get(SslHandler.class) != null, user, vhost, containerId, Map.of(),
                server.settings().idleTimeoutMs() / 1000);
        record.opened(server.engine().connections(), info, this);
    }

    /** The connection's sessions, listed as channels; none before the {@code open}. */
    @Override
    public CompletableFuture<List<ChannelInfo>> channels() {
        CompletableFuture<List<ChannelInfo>> answer = new CompletableFuture<>();
        try {
            ctx.executor().execute(() -> answer.complete(dispatcher == null ? List.of() : dispatcher.channels()));
        } catch (RejectedExecutionException e) {
            answer.complete(List.of()); // the event loop is shutting down: the connection is going anyway
        }
        return answer;
    }

    /** Administrative close or shutdown: {@code close} with {@code amqp:connection:forced} [part 2 2.8.16]. */
    @Override
    public void forceClose(ForcedClose cause, String reason) {
        onLoop(() -> {
            record.because(cause == ForcedClose.SHUTDOWN ? "broker shutting down" : "closed by administrator: "
                    + reason);
            dispatcher.closeConnection(Condition.CONNECTION_FORCED.with(reason));
        });
    }

    /** The user name from the connection's verified TLS client certificate, or null (see CertificateIdentity). */
    String certificateIdentity() {
        return ctx.channel().attr(CERTIFICATE_IDENTITY).get();
    }

    InetAddress peerAddress() {
        InetSocketAddress a = ConnectionRecord.inet(ctx.channel().remoteAddress());
        return a == null ? null : a.getAddress();
    }

    String peer() {
        InetSocketAddress a = ctx == null ? null : ConnectionRecord.inet(ctx.channel().remoteAddress());
        return a == null ? "amqp 1.0" : "amqp 1.0 " + a.getHostString() + ":" + a.getPort();
    }

    /** A warning a client can provoke at will: rate-limited per source address. */
    void warn(String format, Object... args) {
        server.engine().clientWarnings().warn(LOG, peerAddress(), format, args);
    }
}
