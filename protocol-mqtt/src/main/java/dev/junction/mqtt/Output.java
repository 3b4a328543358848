package dev.junction.mqtt;

import dev.junction.routing.api.DeliveryOutlet;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;

/**
 * A connection's write side over the engine's {@link DeliveryOutlet}: packets written on the event loop and flushed
 * once per loop turn (many packets, one flush), and deliveries handed from queue threads to the event loop, no
 * more than the socket takes: a queue stops handing deliveries while the socket is over its high water mark or
 * closed. What is MQTT's own here is which packets may still go out once the connection is closed.
 */
final class Output {
    private final MqttConnection c;
    private final ChannelHandlerContext ctx;
    private final DeliveryOutlet outlet;

    Output(MqttConnection c, ChannelHandlerContext ctx, DeliveryOutlet outlet) {
        this.c = c;
        this.ctx = ctx;
        this.outlet = outlet;
    }

    /** Writes {@code msg}; after close only a CONNACK (a refusal) still goes out, anything else is dropped. */
    void write(Object msg) {
        if (c.state == MqttConnection.State.CLOSED && !(msg instanceof MqttMessage m
                && m.fixedHeader().messageType() == MqttMessageType.CONNACK)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        outlet.written();
    }

    /** Called by queue threads: hands a delivery to the event loop. */
    void deliver(Runnable onEventLoop) {
        outlet.deliver(onEventLoop);
    }

    /** Whether the socket's write buffer is below its high water mark now. */
    boolean writableNow() {
        return ctx.channel().isWritable();
    }

    boolean canTakeDeliveries() {
        return outlet.canTakeDeliveries();
    }

    /** The socket's writability changed: writable resumes the consumers. */
    void writabilityChanged(boolean now) {
        outlet.writabilityChanged(now);
    }

    void closed() {
        outlet.closed();
    }

    /** False once the socket closed. */
    boolean open() {
        return outlet.isOpen();
    }
}
