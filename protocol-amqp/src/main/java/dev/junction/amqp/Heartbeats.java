package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.AmqpFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Heartbeats on a connection that negotiated them [AMQP 0-9-1 4.2.7]: a heartbeat goes out after half an interval
 * without output, as RabbitMQ does, so a client that expects a frame within every interval always gets one; a peer
 * silent for two intervals is gone (an idle-state watchdog before the frame decoder). Event-loop only.
 *
 * <p>The output side is watched here, from the time {@link FrameOutput} last flushed something, not by the
 * watchdog: a writer-idle {@link IdleStateHandler} turns every write's void promise into a real one with a
 * listener, an allocation and a callback per frame on the busiest path of the connection.
 */
final class Heartbeats {
    /** A rate-limited warning about this connection, prefixed with its peer. */
    private final Consumer<String> warn;
    private final ChannelHandlerContext ctx;
    private final PublisherFlow flow;
    /** Told why the connection ends, for its close line. */
    private final Consumer<String> ended;
    /** When output last went out, on the event loop's ticker. */
    private final LongSupplier lastOutput;
    /** Whether close-ok went out: then nothing more is sent, heartbeats included. */
    private final BooleanSupplier closedByClient;
    private long halfIntervalNanos;

    Heartbeats(Consumer<String> warn, ChannelHandlerContext ctx, PublisherFlow flow, Consumer<String> ended,
               LongSupplier lastOutput, BooleanSupplier closedByClient) {
        this.warn = warn;
        this.ended = ended;
        this.ctx = ctx;
        this.flow = flow;
        this.lastOutput = lastOutput;
        this.closedByClient = closedByClient;
    }

    /**
     * After tune-ok: starts the watchdog in front of the frame decoder, unless heartbeats are off (0). Any octet
     * received counts as activity, as RabbitMQ counts them; in front of the decoder the watchdog sees each socket
     * read once, rather than each of the frames (three per published message) it decodes into.
     */
    void start(int heartbeatSeconds) {
        if (heartbeatSeconds > 0) {
            long intervalMs = heartbeatSeconds * 1000L;
            ChannelHandlerContext frames = ctx.pipeline().context(AmqpFrameDecoder.class);
            ctx.pipeline().addBefore(frames == null ? ctx.name() : frames.name(), "heartbeat",
                    new IdleStateHandler(intervalMs * 2, 0, 0, TimeUnit.MILLISECONDS));
            halfIntervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs / 2);
            ctx.executor().schedule(this::checkOutput, halfIntervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Half an interval after the last output (or the last check), a heartbeat unless something went out since. */
    private void checkOutput() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long silentFor = ctx.executor().ticker().nanoTime() - lastOutput.getAsLong();
        long next = halfIntervalNanos - silentFor;
        if (next <= 0) {
            idle(IdleStateEvent.WRITER_IDLE_STATE_EVENT, closedByClient.getAsBoolean());
            next = halfIntervalNanos;
        }
        ctx.executor().schedule(this::checkOutput, next, TimeUnit.NANOSECONDS);
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
