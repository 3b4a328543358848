package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;

/**
 * The last few shortstrs one decoder read in basic.publish, so that one read again (a publisher's exchange and
 * routing key, frame after frame) is compared byte for byte with what was read before, instead of being validated
 * as UTF-8 and decoded into a new String each time. Only text that passed {@link Wire#readUtf8}'s check is kept,
 * so a match is valid too. One per decoder, on its event loop.
 */
final class ShortStrings {
    private static final int SIZE = 4;

    private final byte[][] bytes = new byte[SIZE][];
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
            byte[] known = bytes[k];
            if (known != null && known.length == len && matches(in, index, known)) {
                in.readerIndex(index + len);
                return strings[k];
            }
        }
        String s = Wire.readUtf8(in, len);
        byte[] read = new byte[len];
        in.getBytes(index, read);
        bytes[next] = read;
        strings[next] = s;
        next = (next + 1) % SIZE;
        return s;
    }

    private static boolean matches(ByteBuf in, int index, byte[] known) {
        for (int i = 0; i < known.length; i++) {
            if (in.getByte(index + i) != known[i]) {
                return false;
            }
        }
        return true;
    }
}
