package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: a decoder on an EmbeddedChannel, past the protocol header. */
final class Frames {
    static final int FRAME_MAX = 131_072;

    private Frames() {
    }

    /** A channel whose decoder has already accepted the protocol header. */
    static EmbeddedChannel open(int frameMax) {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(frameMax));
        ch.writeInbound(Unpooled.wrappedBuffer(AmqpEncoder.PROTOCOL_HEADER));
        Object first = ch.readInbound();
        if (!(first instanceof ProtocolHeaderOk)) {
            throw new AssertionError("expected ProtocolHeaderOk, got " + first);
        }
        return ch;
    }

    static EmbeddedChannel open() {
        return open(FRAME_MAX);
    }

    static List<AmqpFrame> drain(EmbeddedChannel ch) {
        List<AmqpFrame> frames = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            frames.add((AmqpFrame) o);
        }
        return frames;
    }

    /** Feeds {@code bytes} in one write and returns every frame decoded. */
    static List<AmqpFrame> decode(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        return drain(ch);
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        buf.release();
        return b;
    }

    static byte[] method(int channel, Method m) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeMethod(out, channel, m);
        return bytes(out);
    }

    /** A raw frame around {@code payload}. */
    static byte[] frame(int type, int channel, byte[] payload) {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(type);
        out.writeShort(channel);
        out.writeInt(payload.length);
        out.writeBytes(payload);
        out.writeByte(0xCE);
        return bytes(out);
    }

    /** A method frame payload: class, method, then raw argument bytes. */
    static byte[] methodPayload(int classId, int methodId, byte... args) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(classId);
        out.writeShort(methodId);
        out.writeBytes(args);
        return bytes(out);
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf out = Unpooled.buffer();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return bytes(out);
    }
}
