package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@code $SYS} topics count on the wire, over every MQTT connection of one {@link MqttServer}, TCP and
 * WebSocket alike: packets of any type and PUBLISH packets in each direction, the bytes of the MQTT stream (inside
 * WebSocket frames, as Mosquitto counts them), CONNECTs accepted, and the clients connected now.
 *
 * <p>Two handlers in each connection's pipeline do the counting, so the connection itself knows nothing of it:
 * {@link #bytes()} at the head of the MQTT part, where the byte stream enters and leaves, and {@link #packets()} next
 * to the connection, where packets are whole. Every event loop adds to the {@link LongAdder}s; the {@code $SYS}
 * timer reads them once per interval.
 */
final class SysCounters {
    final LongAdder packetsReceived = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    final LongAdder publishReceived = new LongAdder();
    final LongAdder publishSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    /** CONNECTs answered with a successful CONNACK. */
    final LongAdder connects = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger maximum = new AtomicInteger();
    private final Bytes bytes = new Bytes();

    /** Clients whose CONNECT was accepted and whose connection is still open. */
    int connected() {
        return connected.get();
    }

    /** The most clients connected at the same time since start. */
    int maximum() {
        return maximum.get();
    }

    /** The byte counter, one for every pipeline: it keeps no state of its own. */
    ChannelHandler bytes() {
        return bytes;
    }

    /** A packet counter for one pipeline: it remembers whether its client counts as connected. */
    ChannelHandler packets() {
        return new Packets();
    }

    @ChannelHandler.Sharable
    private final class Bytes extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytesReceived.add(b.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                bytesSent.add(b.readableBytes());
            }
            ctx.write(msg, promise);
        }
    }

    private final class Packets extends ChannelDuplexHandler {
        /** Set by the successful CONNACK, cleared when the connection closes; the channel's event loop owns it. */
        private boolean counted;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof MqttMessage m && m.decoderResult().isSuccess() && m.fixedHeader() != null) {
                packetsReceived.increment();
                if (m.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
                    publishReceived.increment();
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof MqttMessage m) {
                packetsSent.increment();
                MqttMessageType type = m.fixedHeader().messageType();
                if (type == MqttMessageType.PUBLISH) {
                    publishSent.increment();
                } else if (type == MqttMessageType.CONNACK && !counted && m instanceof MqttConnAckMessage ack
                        && ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    counted = true;
                    maximum.accumulateAndGet(connected.incrementAndGet(), Math::max);
                    connects.increment();
                }
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (counted) {
                counted = false;
                connected.decrementAndGet();
            }
            super.channelInactive(ctx);
        }
    }
}
