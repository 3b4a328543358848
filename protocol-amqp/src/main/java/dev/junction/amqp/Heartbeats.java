package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Heartbeats on a connection that negotiated them [AMQP 0-9-1 4.2.7]: an idle-state watchdog before the connection
 * handler sends a heartbeat after half an interval without output, as RabbitMQ does, so a client that expects a
 * frame within every interval always gets one; a peer silent for two intervals is gone. Event-loop only.
 */
final class Heartbeats {
    /** A rate-limited warning about this connection, prefixed with its peer. */
    private final Consumer<String> warn;
    private final ChannelHandlerContext ctx;
    private final PublisherFlow flow;
    /** Told why the connection ends, for its close line. */
    private final Consumer<String> ended;

    Heartbeats(Consumer<String> warn, ChannelHandlerContext ctx, PublisherFlow flow, Consumer<String> ended) {
        this.warn = warn;
        this.ended = ended;
        this.ctx = ctx;
        this.flow = flow;
    }

    /** After tune-ok: starts the watchdog in front of the connection's handler, unless heartbeats are off (0). */
    void start(int heartbeatSeconds) {
        if (heartbeatSeconds > 0) {
            long intervalMs = heartbeatSeconds * 1000L;
            ctx.pipeline().addBefore(ctx.name(), "heartbeat",
                    new IdleStateHandler(intervalMs * 2, intervalMs / 2, 0, TimeUnit.MILLISECONDS));
        }
    }

    /** The watchdog fired; {@code closedByClient}: close-ok went out and only the socket's close is awaited. */
    void idle(IdleStateEvent idle, boolean closedByClient) {
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
            warn.accept("missed heartbeats from client, closing the connection");
            ended.accept("heartbeat timeout: missed heartbeats from the client");
            // Reset rather than close: an orderly close would queue the FIN behind every delivery the client
            // has not read yet, and a client that stopped reading would never learn the connection is gone.
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        } else if (idle.state() == IdleState.WRITER_IDLE) {
            ByteBuf out = ctx.alloc().buffer(8);
            AmqpEncoder.writeHeartbeat(out);
            ctx.writeAndFlush(out);
        }
    }
}
