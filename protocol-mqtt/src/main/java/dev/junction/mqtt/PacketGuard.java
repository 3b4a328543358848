package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.net.SocketAddress;
import java.util.List;

/**
 * Splits the byte stream into whole MQTT packets before the codec sees them, and checks what the codec lets
 * through or checks late: reserved fixed-header flags [MQTT-2.2.2-1, MQTT-2.2.2-2], both QoS bits set
 * [MQTT-3.3.1-4], DUP on QoS 0 [MQTT-3.3.1-2], a Remaining Length longer than four bytes [MQTT-1.5.5] and a packet
 * larger than the server's maximum, refused from its header without buffering it [MQTT-3.2.2-15 (5.0)]; and the
 * shape of whole packets ({@link PacketShape}). A violation is passed on as a {@link Violation} and everything
 * after it is discarded.
 *
 * <p>Each packet is handed to the codec whole, and {@link #afterCodec} (placed right after the codec) counts what
 * comes out. The codec reads fields until it has them, whatever the Remaining Length says: a packet whose fields
 * run past its end (a SUBSCRIBE {@code 82 00} without its packet identifier, properties longer than the packet)
 * would make it wait for bytes that belong to the next packet, so a packet that yields nothing is malformed
 * (MQTT 5 section 4.13, 3.1.1 section 4.8).
 *
 * <p>With the {@code $SYS} topics on, it also counts the stream for them ({@link SysCounters}): the bytes read and
 * written here, where the MQTT stream enters and leaves the pipeline, the packets written, and the packets the codec
 * made whole. That is why it passes outbound events on too: counting here costs a connection no handler of its own.
 */
final class PacketGuard extends ByteToMessageDecoder implements ChannelOutboundHandler {
    /** The channel attribute where the Netty codec keeps the version it decoded the CONNECT with. */
    static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    /** A packet the connection must answer by closing (MQTT 5: with DISCONNECT {@code code} once connected). */
    record Violation(String reason, ReasonCode code) {
    }

    /**
     * The largest packet accepted before the CONNECT was accepted (RabbitMQ's {@code max_packet_size_unauthenticated}
     * and its default). Packets are buffered whole before the codec sees them, so without it a socket that never
     * logs in could make the broker buffer {@code max_packet_size} (up to 256 MiB) for the handshake timeout; a
     * CONNECT's fields are each at most 65,535 bytes, and real ones are far below this.
     */
    static final int MAX_PACKET_SIZE_UNAUTHENTICATED = 65_536;

    /** The {@code $SYS} counters; null when the topics are off. */
    private final SysCounters counters;
    /** The largest packet accepted once connected (the configured maximum, or less, see {@link #connected}). */
    private final int maxPacketSize;
    /** The largest packet accepted now: {@link #MAX_PACKET_SIZE_UNAUTHENTICATED} until the handshake completed. */
    private int limit;
    /** Whether the connection was told that a PUBLISH is being buffered (once; see {@link PublishArriving}). */
    private boolean publishAnnounced;
    private boolean failed;
    /** Messages the codec made of the packet being handed to it. */
    private int decoded;
    /** Counts the codec's output; goes right after the codec in the pipeline. */
    final ChannelHandler afterCodec = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof MqttMessage m) {
                decoded++;
                if (counters != null) {
                    counters.decoded(m);
                }
                if (m.decoderResult().isFailure()) {
                    // The codec refused the stream and discards the rest; so does the guard, or each later
                    // packet would come out empty and be reported as a second, wrong violation (found by fuzzing).
                    failed = true;
                }
            }
            ctx.fireChannelRead(msg);
        }
    };

    /**
     * Fired down the pipeline the first time a PUBLISH is buffered before it is complete: the connection then
     * counts as a publisher and stops being read under the memory alarm, so the rest of a large packet stays in the
     * socket rather than in the broker (as AMQP does from {@code basic.publish}).
     */
    enum PublishArriving {
        INSTANCE
    }

    /** @param maxPacketSize the largest packet accepted once the CONNECT was accepted */
    PacketGuard(int maxPacketSize) {
        this(maxPacketSize, null);
    }

    /**
     * @param maxPacketSize the largest packet accepted once the CONNECT was accepted
     * @param counters      the {@code $SYS} counters, or null when the topics are off
     */
    PacketGuard(int maxPacketSize, SysCounters counters) {
        this.counters = counters;
        this.maxPacketSize = maxPacketSize;
        this.limit = Math.min(maxPacketSize, MAX_PACKET_SIZE_UNAUTHENTICATED);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == dev.junction.routing.api.HandshakeCompleted.INSTANCE) {
            limit = maxPacketSize; // logged in: packets up to the configured maximum
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * Never asks for another read. The base class does so after a read that made no message while auto-read is off,
     * and this guard hands packets on from {@link #decode} rather than through its output list, so every read looks
     * fruitless to it: the socket went on being read while the connection had stopped reading it (a congested
     * queue, the memory alarm, packets held), and a flood of QoS 0 publishes went past the brake into a subscriber's
     * queue, which then dropped. Reading is off only when the connection turned it off, and resumes when it is
     * turned on again.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (counters != null && msg instanceof ByteBuf b) {
            counters.read(b);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return;
        }
        int b1 = in.getUnsignedByte(start);
        int length = 0;
        int multiplier = 1;
        int i = 1;
        boolean complete = false;
        for (; i <= 4; i++) {
            if (start + i >= in.writerIndex()) {
                return; // the length is not all here yet
            }
            int digit = in.getUnsignedByte(start + i);
            length += (digit & 0x7F) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0) {
                complete = true;
                break;
            }
        }
        if (!complete) {
            fail(in, out, new Violation("Remaining Length longer than four bytes", ReasonCode.MALFORMED_PACKET));
            return;
        }
        String problem = flagProblem(b1 >> 4, b1 & 0x0F);
        if (problem != null) {
            fail(in, out, new Violation(problem, ReasonCode.MALFORMED_PACKET));
            return;
        }
        long total = 1L + i + length;
        if (total > limit) {
            fail(in, out, new Violation("packet of " + total + " bytes exceeds the maximum of " + limit
                    + (limit < maxPacketSize ? " before a CONNECT is accepted" : ""), ReasonCode.PACKET_TOO_LARGE));
            return;
        }
        if (in.readableBytes() < total) {
            if (b1 >> 4 == 3 && !publishAnnounced && limit == maxPacketSize) {
                publishAnnounced = true;
                ctx.fireUserEventTriggered(PublishArriving.INSTANCE);
            }
            return;
        }
        PacketShape.Problem shape = PacketShape.check(b1 >> 4, b1 & 0x0F, in.slice(start + 1 + i, length), v5(ctx));
        if (shape != null) {
            fail(in, out, new Violation(shape.reason(), shape.code()));
            return;
        }
        // Handed on here rather than through {@code out}, so that what the codec made of it can be counted.
        decoded = 0;
        ctx.fireChannelRead(in.readRetainedSlice((int) total));
        if (decoded == 0 && !failed) {
            fail(in, out, new Violation("the fields of a packet of type " + (b1 >> 4)
                    + " run past its Remaining Length of " + length, ReasonCode.MALFORMED_PACKET));
        }
    }

    private static boolean v5(ChannelHandlerContext ctx) {
        return ctx.channel().attr(CODEC_VERSION).get() == MqttVersion.MQTT_5;
    }

    private void fail(ByteBuf in, List<Object> out, Violation v) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(v);
    }

    static String flagProblem(int type, int flags) {
        switch (type) {
            case 0:
                return "reserved packet type 0";
            case 3: // PUBLISH
                if ((flags & 0x06) == 0x06) {
                    return "PUBLISH with both QoS bits set [MQTT-3.3.1-4]";
                }
                if ((flags & 0x06) == 0 && (flags & 0x08) != 0) {
                    return "PUBLISH QoS 0 with DUP set [MQTT-3.3.1-2]";
                }
                return null;
            case 6: case 8: case 10: // PUBREL, SUBSCRIBE, UNSUBSCRIBE
                return flags == 0x02 ? null : "reserved flags of packet type " + type + " must be 0010 [MQTT-2.2.2-2]";
            default:
                return flags == 0 ? null : "reserved flags of packet type " + type + " must be 0000 [MQTT-2.2.2-2]";
        }
    }

    // ---- the way out: counted, and passed on unchanged ----------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (counters != null && msg instanceof ByteBuf b) {
            counters.written(b);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress local, ChannelPromise promise) {
        ctx.bind(local, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ctx.connect(remote, local, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }
}
