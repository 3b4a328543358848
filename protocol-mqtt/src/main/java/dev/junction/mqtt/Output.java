package dev.junction.mqtt;

import dev.junction.routing.queue.Handoff;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;

/**
 * A connection's write side: packets written on the event loop and flushed once per loop turn (many packets, one
 * flush), and deliveries handed from queue threads to the event loop ({@link Handoff}), no more than the socket
 * takes: a queue stops handing deliveries while the socket is over its high water mark or closed.
 */
final class Output {
    private static final int MAX_PENDING_DELIVERIES = 1000;

    private final MqttConnection c;
    private final ChannelHandlerContext ctx;
    private final Handoff handoff;
    private boolean flushPending;
    private volatile boolean writable = true;
    /** False once the socket closed: queues must stop handing deliveries (QoS 0 ones would be lost). */
    private volatile boolean open = true;

    Output(MqttConnection c, ChannelHandlerContext ctx) {
        this.c = c;
        this.ctx = ctx;
        this.handoff = new Handoff(ctx.executor(), MAX_PENDING_DELIVERIES, this::flush, c.outbound::resume);
    }

    /** Writes {@code msg}; after close only a CONNACK (a refusal) still goes out, anything else is dropped. */
    void write(Object msg) {
        if (c.state == MqttConnection.State.CLOSED && !(msg instanceof MqttMessage m
                && m.fixedHeader().messageType() == MqttMessageType.CONNACK)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        if (!flushPending) {
            flushPending = true;
            ctx.executor().execute(this::flush);
        }
    }

    private void flush() {
        flushPending = false;
        ctx.flush();
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        handoff.submit(onEventLoop);
    }

    /** Whether the socket's write buffer is below its high water mark now. */
    boolean writableNow() {
        return ctx.channel().isWritable();
    }

    boolean canTakeDeliveries() {
        return open && writable && handoff.hasRoom();
    }

    void writabilityChanged(boolean now) {
        writable = now;
    }

    void closed() {
        open = false;
    }

    /** False once the socket closed. */
    boolean open() {
        return open;
    }
}
