package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last word on the client's Maximum Packet Size [MQTT-3.1.2-24], on encoded bytes (so exact). PUBLISH packets
 * are measured before they are sent and dropped there, as if delivered [MQTT-3.1.2-25]; anything that still gets
 * here over the limit is a control packet the client needs (CONNACK, SUBACK, acknowledgements) and cannot receive,
 * so it is not sent and the connection is closed. Sits between the encoder and the socket; written to only by the
 * channel's event loop.
 */
final class OutboundSizeLimit extends ChannelOutboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundSizeLimit.class);

    private long maximum = Long.MAX_VALUE;

    void maximum(long bytes) {
        this.maximum = bytes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b && b.readableBytes() > maximum) {
            LOG.warn("MQTT client at {} cannot take a {}-byte packet (its Maximum Packet Size is {}); closing",
                    ctx.channel().remoteAddress(), b.readableBytes(), maximum);
            b.release();
            promise.trySuccess();
            ctx.close();
            return;
        }
        ctx.write(msg, promise);
    }
}
