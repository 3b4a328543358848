package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The last few shortstrs one decoder read in basic.publish, so that one read again (a publisher's exchange and
 * routing key, frame after frame) is compared byte for byte with what was read before, instead of being validated
 * as UTF-8 and decoded into a new String each time. Only text that passed {@link Wire#readUtf8}'s check is kept,
 * so a match is valid too. One per decoder, on its event loop.
 *
 * <p>A compare is a length check, then {@link ByteBufUtil#equals(ByteBuf, int, ByteBuf, int, int)}, which reads
 * eight bytes at a time: a routing key of 36 bytes (a UUID) is five reads, not 36 {@code getByte} calls.
 */
final class ShortStrings {
    private static final int SIZE = 4;

    /** The kept shortstrs' bytes, each wrapped once so that a compare reads them in longs. */
    private final ByteBuf[] bytes = new ByteBuf[SIZE];
    private final String[] strings = new String[SIZE];
    private int next;

    /** Reads a shortstr as {@link Wire#readShortStr} does. */
    String read(ByteBuf in) {
        int len = in.readUnsignedByte();
        int index = in.readerIndex();
        if (len == 0 || len > in.writerIndex() - index) {
            return Wire.readUtf8(in, len); // "" or the overrun error
        }
        for (int k = 0; k < SIZE; k++) {
            ByteBuf known = bytes[k];
            if (known != null && known.readableBytes() == len && ByteBufUtil.equals(in, index, known, 0, len)) {
                in.readerIndex(index + len);
                return strings[k];
            }
        }
        String s = Wire.readUtf8(in, len);
        byte[] read = new byte[len];
        in.getBytes(index, read);
        bytes[next] = Unpooled.wrappedBuffer(read);
        strings[next] = s;
        next = (next + 1) % SIZE;
        return s;
    }
}
