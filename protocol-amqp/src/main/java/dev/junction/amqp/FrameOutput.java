package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.ContentFit;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Everything one connection writes: methods, methods with content, and deliveries handed over from queue threads.
 * The handoff, the coalesced flush (writes made during one event-loop task go out in one flush) and the pausing of
 * consumers while the socket is not writable are the connection's {@link DeliveryOutlet}'s; this class encodes
 * frames. After close-ok nothing more is written [AMQP 0-9-1 connection.close-ok]. Event-loop only, except
 * {@link #deliver} and {@link #canTakeDeliveries}, which queue threads call.
 */
final class FrameOutput {
    private final ChannelHandlerContext ctx;
    private final DeliveryOutlet outlet;
    private int frameMax;
    /** Set once close-ok went out: the last frame of the connection. */
    private boolean silenced;
    /** Something was written since the last flush. */
    private boolean unflushed;
    /** When a flush last carried output, on the event loop's ticker (heartbeats measure silence from it). */
    private long lastOutputNanos;

    FrameOutput(ChannelHandlerContext ctx, DeliveryOutlet outlet, int frameMax) {
        this.ctx = ctx;
        this.outlet = outlet;
        this.frameMax = frameMax;
        this.lastOutputNanos = ctx.executor().ticker().nanoTime();
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
        unflushed = true;
        outlet.written();
    }

    void flush() {
        outlet.flushNow();
    }

    /** The outlet's flush: what was written goes to the socket. */
    void flushSocket() {
        if (unflushed) {
            unflushed = false;
            lastOutputNanos = ctx.executor().ticker().nanoTime();
        }
        ctx.flush();
    }

    long lastOutputNanos() {
        return lastOutputNanos;
    }

    /** From here on nothing is written: a late confirm or a delivery in flight is dropped. */
    void silence() {
        silenced = true;
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        outlet.deliver(onEventLoop);
    }

    /** Whether consumers on this connection may be given more deliveries now. Any thread. */
    boolean canTakeDeliveries() {
        return outlet.canTakeDeliveries();
    }
}
