package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.ContentFit;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.queue.Handoff;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Everything one connection writes: methods, methods with content, and deliveries handed over from queue threads.
 * Writes made during one event-loop task go out in one flush. After close-ok nothing more is written
 * [AMQP 0-9-1 connection.close-ok]. Event-loop only, except {@link #deliver} and {@link #canTakeDeliveries}, which
 * queue threads call.
 */
final class FrameOutput {
    private static final int MAX_PENDING_DELIVERIES = 2048;

    private final ChannelHandlerContext ctx;
    private final Handoff handoff;
    private int frameMax;
    private boolean flushPending;
    /** Set once close-ok went out: the last frame of the connection. */
    private boolean silenced;
    private volatile boolean writable = true;
    /** False once the socket closed: queues must stop handing deliveries (autoack ones would be lost). */
    private volatile boolean open = true;

    /**
     * @param onRoom runs on the event loop when deliveries may flow again (the handoff drained, the socket became
     *               writable): the connection resumes its consumers
     */
    FrameOutput(ChannelHandlerContext ctx, int frameMax, Runnable onRoom) {
        this.ctx = ctx;
        this.frameMax = frameMax;
        this.handoff = new Handoff(ctx.executor(), MAX_PENDING_DELIVERIES, this::flush, onRoom);
    }

    /** The frame size tune-ok settled: content is cut into body frames of at most this size. */
    void frameMax(int negotiated) {
        this.frameMax = negotiated;
    }

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
        int basic = MethodType.BASIC_DELIVER.classId();
        ByteBuf out = ctx.alloc().buffer(128 + message.bodySize());
        try {
            AmqpEncoder.writeMethod(out, channel, m);
            try {
                AmqpEncoder.writeContent(out, channel, basic, p, message.body(), frameMax);
            } catch (IllegalArgumentException e) {
                AmqpEncoder.writeContent(out, channel, basic, ContentFit.fit(p), message.body(), frameMax);
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        write(out);
    }

    private void write(ByteBuf out) {
        if (silenced) {
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

    /** From here on nothing is written: a late confirm or a delivery in flight is dropped. */
    void silence() {
        silenced = true;
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        handoff.submit(onEventLoop);
    }

    /** Whether consumers on this connection may be given more deliveries now. Any thread. */
    boolean canTakeDeliveries() {
        return open && writable && handoff.hasRoom();
    }

    /** The socket's writability changed; returns whether it is writable now. */
    boolean writabilityChanged() {
        writable = ctx.channel().isWritable();
        return writable;
    }

    /** The socket closed. */
    void closed() {
        open = false;
    }
}
