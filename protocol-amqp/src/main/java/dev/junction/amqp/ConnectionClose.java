package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The ways a connection ends [AMQP 0-9-1 connection.close]: the client closes (we answer close-ok, write nothing
 * more and discard what it still sends until it closes the socket), a hard error (we send connection.close and
 * wait briefly for close-ok, heeding only close and close-ok meanwhile), or a refused handshake (the socket closes
 * at once, since no connection.close is possible yet). Event-loop only.
 */
final class ConnectionClose {
    /**
     * How long the socket stays open after close-ok for a client that closed the connection, so frames it sent
     * before our close-ok (publishes in flight) are read and discarded instead of resetting the connection under
     * the client before it reads close-ok.
     */
    private static final long CLOSE_OK_LINGER_SECONDS = 10;
    /** How long we wait for the client's close-ok after our connection.close. */
    private static final long CLOSE_OK_WAIT_SECONDS = 1;

    /** A rate-limited warning about this connection, prefixed with its peer. */
    private final Consumer<String> warn;
    private final ChannelHandlerContext ctx;
    private final FrameOutput out;
    private final InboundOrder inbound;
    private final Runnable cleanup;
    /** Told why the connection ends, for its close line (the first reason given counts). */
    private final Consumer<String> ended;
    private boolean closing;
    /** The client sent connection.close and we answered close-ok: only waiting for the socket to close. */
    private boolean closedByClient;

    /**
     * @param warn    logs a rate-limited warning about this connection (the peer is prefixed)
     * @param cleanup frees what the connection holds in the engine; runs at most once (the caller's guard)
     * @param ended   told why the connection ends: the client's close or a hard error with its reply code
     */
    ConnectionClose(Consumer<String> warn, ChannelHandlerContext ctx, FrameOutput out, InboundOrder inbound,
                    Runnable cleanup, Consumer<String> ended) {
        this.warn = warn;
        this.ctx = ctx;
        this.out = out;
        this.inbound = inbound;
        this.cleanup = cleanup;
        this.ended = ended;
    }

    /** Whether the connection is ending, for whatever reason. */
    boolean closing() {
        return closing;
    }

    boolean closedByClient() {
        return closedByClient;
    }

    /** A frame that arrived while the connection is ending: close-ok ends it, close is answered, the rest dropped. */
    void whileClosing(AmqpFrame frame) {
        if (closedByClient) {
            return; // after our close-ok, everything the client still sends is discarded [AMQP 0-9-1 connection.close]
        }
        // After we sent connection.close only close and close-ok matter [AMQP 0-9-1 connection.close].
        if (frame instanceof MethodFrame mf && mf.channel() == 0
                && (mf.method().type() == MethodType.CONNECTION_CLOSE_OK
                    || mf.method().type() == MethodType.CONNECTION_CLOSE)) {
            if (mf.method().type() == MethodType.CONNECTION_CLOSE) {
                out.send(0, MethodType.CONNECTION_CLOSE_OK.with());
            }
            out.flush(); // what FrameOutput holds goes before the socket closes
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The client sent connection.close. */
    void byClient() {
        ended.accept("client closed the connection");
        cleanup.run();
        closing = true;
        inbound.clear();
        out.send(0, MethodType.CONNECTION_CLOSE_OK.with());
        out.flush();
        closedByClient = true;
        out.silence(); // from here on nothing is written (a late confirm, a delivery in flight)
        // The client closes the socket once it has read close-ok; until then (or the linger time) keep reading and
        // discarding what it sent before it saw our close-ok, instead of closing on unread input, which resets the
        // connection and loses close-ok on the client's side.
        ctx.channel().config().setAutoRead(true);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_OK_LINGER_SECONDS, TimeUnit.SECONDS);
    }

    /** A hard error: send connection.close with the code and wait (briefly) for close-ok. */
    void fail(AmqpException e) {
        fail(e, true);
    }

    /** As {@link #fail(AmqpException)}; {@code log} false when the caller logged the reason itself. */
    void fail(AmqpException e, boolean log) {
        if (closing) {
            return;
        }
        if (log) {
            warn.accept("closing connection: " + e.replyCode() + " " + e.getMessage());
        }
        ended.accept("error " + e.replyCode() + " " + e.replyText());
        cleanup.run();
        closing = true;
        inbound.clear();
        if (ctx.channel().isActive()) {
            out.send(0, MethodType.CONNECTION_CLOSE.with(e.replyCode(), e.replyText(), e.classId(), e.methodId()));
            out.flush();
            ctx.executor().schedule(() -> {
                ctx.close();
            }, CLOSE_OK_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A refused login, already logged: {@code e} sent as connection.close, or, when null, the socket closed. */
    void refused(AmqpException e) {
        if (e != null) {
            fail(e, false);
        } else {
            abort(null);
        }
    }

    /** Refuses the handshake by closing the socket right away (no connection.close is possible yet); null: no line. */
    void abort(String why) {
        if (why != null) {
            warn.accept(why);
        }
        closing = true;
        ctx.close();
    }
}
