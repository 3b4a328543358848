package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/** Primitive reads and writes shared by method arguments, field tables and content properties. */
final class Wire {
    static final int MAX_SHORTSTR = 255;
    static final byte[] EMPTY_BYTES = new byte[0];

    private Wire() {
    }

    /** Reads a shortstr (octet length + UTF-8 bytes). */
    static String readShortStr(ByteBuf in) {
        int len = in.readUnsignedByte();
        return readUtf8(in, len);
    }

    /**
     * Reads {@code len} bytes of UTF-8 text. Malformed UTF-8 is an {@link IllegalArgumentException} (the decoder
     * answers 501 FRAME_ERROR): decoded leniently, each bad byte would become U+FFFD, three bytes when written
     * back, so a 255-byte routing key, property or table key could no longer be encoded in the basic.deliver or
     * basic.return that carries it, and delivery would fail for every consumer (found by fuzzing).
     */
    static String readUtf8(ByteBuf in, int len) {
        if (len == 0) {
            return "";
        }
        int index = in.readerIndex();
        if (len > in.writerIndex() - index) {
            throw new IndexOutOfBoundsException("string of " + len + " bytes overruns the buffer");
        }
        if (!ByteBufUtil.isText(in, index, len, StandardCharsets.UTF_8)) {
            throw new IllegalArgumentException("string of " + len + " bytes is not valid UTF-8");
        }
        String s = in.toString(index, len, StandardCharsets.UTF_8);
        in.readerIndex(index + len);
        return s;
    }

    /** Reads a longstr's length; it must fit in what is readable. */
    static int readLongStrLength(ByteBuf in) {
        long len = in.readUnsignedInt();
        if (len > in.readableBytes()) {
            throw new IndexOutOfBoundsException("longstr of " + len + " bytes overruns the buffer");
        }
        return (int) len;
    }

    static byte[] readLongStrBytes(ByteBuf in) {
        int len = readLongStrLength(in);
        if (len == 0) {
            return EMPTY_BYTES;
        }
        byte[] bytes = new byte[len];
        in.readBytes(bytes);
        return bytes;
    }

    /** Writes a shortstr; more than 255 UTF-8 bytes is an {@link IllegalArgumentException}. */
    static void writeShortStr(ByteBuf out, String s) {
        int length = s.length();
        if (length > MAX_SHORTSTR) { // every UTF-16 unit costs at least one UTF-8 byte
            throw shortStrTooLong(s);
        }
        int lengthIndex = out.writerIndex();
        out.writeByte(0);
        if (length == 0) {
            return;
        }
        int written = ByteBufUtil.writeUtf8(out, s);
        if (written > MAX_SHORTSTR) {
            out.writerIndex(lengthIndex);
            throw shortStrTooLong(s);
        }
        out.setByte(lengthIndex, written);
    }

    private static IllegalArgumentException shortStrTooLong(String s) {
        String head = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return new IllegalArgumentException("shortstr longer than 255 bytes: \"" + head + "\"");
    }

    /** Writes a longstr from UTF-8 text. */
    static void writeLongStr(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        int written = ByteBufUtil.writeUtf8(out, s);
        out.setInt(lengthIndex, written);
    }

    static void writeLongStr(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }
}
