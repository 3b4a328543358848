package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.ContentFit;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ShortStrBytes;
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
    /** The smallest shared write buffer: a few dozen small deliveries. */
    private static final int BUFFER_SIZE = 8192;
    private static final int FRAME_OVERHEAD = 8;

    private final ChannelHandlerContext ctx;
    private final DeliveryOutlet outlet;
    private int frameMax;
    /** Set once close-ok went out: the last frame of the connection. */
    private boolean silenced;
    /** Frames encoded since the last flush, not yet handed to the pipeline; null when none. */
    private ByteBuf pending;
    /** Something was written since the last flush. */
    private boolean unflushed;
    /** The exchanges and routing keys of recent deliveries, encoded once. */
    private final ShortStrBytes deliveredStrings = new ShortStrBytes();
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
        ByteBuf out = buffer(64);
        int start = out.writerIndex();
        AmqpEncoder.writeMethod(out, channel, m); // leaves nothing behind when it throws
        written(out, start);
    }

    /**
     * Writes a method with its content. Properties AMQP cannot carry (a message from another protocol with a
     * shortstr property over 255 bytes, say) are sent fitted by {@link ContentFit}. Throws
     * IllegalArgumentException, with nothing written, when the method itself cannot be encoded; the caller
     * settles the delivery.
     */
    void sendWithContent(int channel, Method m, Message message) {
        ByteBuf out = buffer(contentSize(message));
        int start = out.writerIndex();
        try {
            AmqpEncoder.writeMethod(out, channel, m);
            writeContent(out, channel, message);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
        written(out, start);
    }

    /**
     * Writes basic.deliver with its content, as {@link #sendWithContent} would, without building the method:
     * the path every consumed message takes. {@code consumerTag} is the tag's UTF-8 encoding.
     */
    void sendDelivery(int channel, byte[] consumerTag, long deliveryTag, boolean redelivered, Message message) {
        ByteBuf out = buffer(contentSize(message));
        int start = out.writerIndex();
        try {
            AmqpEncoder.writeDeliver(out, channel, consumerTag, deliveryTag, redelivered,
                    deliveredStrings.of(message.exchange()), deliveredStrings.of(message.routingKey()));
            writeContent(out, channel, message);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
        written(out, start);
    }

    private void writeContent(ByteBuf out, int channel, Message message) {
        MessageProperties p = message.properties();
        int basic = MethodType.BASIC_DELIVER.classId();
        try {
            AmqpEncoder.writeContent(out, channel, basic, p, message.body(), frameMax);
        } catch (IllegalArgumentException e) {
            AmqpEncoder.writeContent(out, channel, basic, ContentFit.fit(p), message.body(), frameMax);
        }
    }

    /** Room for a method, a content header with ordinary properties, and the body in frames. */
    private int contentSize(Message message) {
        int body = message.bodySize();
        int frames = frameMax <= FRAME_OVERHEAD ? 1 : body / (frameMax - FRAME_OVERHEAD) + 1;
        return 256 + body + FRAME_OVERHEAD * frames;
    }

    /**
     * The buffer frames are encoded into: writes made between two flushes share one buffer (one pipeline write
     * and one outbound entry for a burst of deliveries instead of one per frame). A frame that does not fit in
     * what is left starts a new one, so that a buffer never grows by copying what it already holds.
     */
    private ByteBuf buffer(int size) {
        if (pending != null && pending.capacity() - pending.writerIndex() >= size) {
            return pending;
        }
        writePending();
        pending = ctx.alloc().buffer(Math.max(BUFFER_SIZE, size));
        return pending;
    }

    /** Frames were encoded into {@code out} from {@code start} on: kept for the next flush, or dropped if silenced. */
    private void written(ByteBuf out, int start) {
        if (silenced) {
            out.writerIndex(start); // close-ok was the last frame [AMQP 0-9-1 connection.close-ok]
            return;
        }
        unflushed = true;
        outlet.written();
    }

    private void writePending() {
        ByteBuf out = pending;
        pending = null;
        if (out == null) {
            return;
        }
        if (out.isReadable()) {
            ctx.write(out, ctx.voidPromise());
        } else {
            out.release();
        }
    }

    void flush() {
        outlet.flushNow();
    }

    /** The outlet's flush: what was written goes to the socket. */
    void flushSocket() {
        if (unflushed) {
            unflushed = false;
            writePending();
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

    /** The connection is gone: a buffer not yet written is released. */
    void closed() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
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
