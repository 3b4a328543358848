package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into whole MQTT packets before the codec sees them, and checks what the codec lets
 * through or checks late: reserved fixed-header flags [MQTT-2.2.2-1, MQTT-2.2.2-2], both QoS bits set
 * [MQTT-3.3.1-4], DUP on QoS 0 [MQTT-3.3.1-2], a Remaining Length longer than four bytes [MQTT-1.5.5] and a packet
 * larger than the server's maximum, refused from its header without buffering it [MQTT-3.2.2-15 (5.0)]. A
 * violation is passed on as a {@link Violation} and everything after it is discarded.
 */
final class PacketGuard extends ByteToMessageDecoder {
    /** A packet the connection must answer by closing (with DISCONNECT 0x81 or 0x95 in MQTT 5). */
    record Violation(String reason, boolean tooLarge) {
    }

    private final int maxPacketSize;
    private boolean failed;

    PacketGuard(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
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
            fail(in, out, new Violation("Remaining Length longer than four bytes", false));
            return;
        }
        String problem = flagProblem(b1 >> 4, b1 & 0x0F);
        if (problem != null) {
            fail(in, out, new Violation(problem, false));
            return;
        }
        long total = 1L + i + length;
        if (total > maxPacketSize) {
            fail(in, out, new Violation("packet of " + total + " bytes exceeds the maximum of " + maxPacketSize, true));
            return;
        }
        if (in.readableBytes() < total) {
            return;
        }
        out.add(in.readRetainedSlice((int) total));
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
}
