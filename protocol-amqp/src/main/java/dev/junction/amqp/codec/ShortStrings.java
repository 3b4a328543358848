package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;

/**
 * The last few shortstrs one decoder read in basic.publish, so that one read again (a publisher's exchange and
 * routing key, frame after frame) is compared with what was read before, instead of being validated as UTF-8 and
 * decoded into a new String each time. Only text that passed {@link Wire#readUtf8}'s check is kept, so a match is
 * valid too. One per decoder, on its event loop.
 *
 * <p>A compare reads the frame eight bytes at a time against the kept bytes taken as longs: a routing key of 36 bytes
 * (a UUID) is four {@code getLong} and four {@code getByte} calls, not 36 {@code getByte}.
 */
final class ShortStrings {
    private static final int SIZE = 4;

    private final byte[][] bytes = new byte[SIZE][];
    /** {@link #bytes} in big-endian longs, as {@link ByteBuf#getLong} reads them; a tail under 8 bytes is left out. */
    private final long[][] words = new long[SIZE][];
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
            if (known != null && known.length == len && matches(in, index, known, words[k])) {
                in.readerIndex(index + len);
                return strings[k];
            }
        }
        String s = Wire.readUtf8(in, len);
        byte[] read = new byte[len];
        in.getBytes(index, read);
        long[] longs = new long[len >>> 3];
        for (int w = 0; w < longs.length; w++) {
            longs[w] = in.getLong(index + (w << 3));
        }
        bytes[next] = read;
        words[next] = longs;
        strings[next] = s;
        next = (next + 1) % SIZE;
        return s;
    }

    private static boolean matches(ByteBuf in, int index, byte[] known, long[] longs) {
        for (int w = 0; w < longs.length; w++) {
            if (in.getLong(index + (w << 3)) != longs[w]) {
                return false;
            }
        }
        for (int i = longs.length << 3; i < known.length; i++) {
            if (in.getByte(index + i) != known[i]) {
                return false;
            }
        }
        return true;
    }
}
