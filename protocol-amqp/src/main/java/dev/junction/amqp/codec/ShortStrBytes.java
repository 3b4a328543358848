package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The shortstr bytes of the last few strings one connection wrote in basic.deliver: a queue's messages carry the same
 * exchange and routing key objects delivery after delivery (the publisher's decoder kept them, see
 * {@link ShortStrings}), so each is encoded once instead of once per delivery. Strings are compared by reference
 * only: the same (immutable) object has the same bytes, and an equal string in another object is simply encoded
 * again. One per connection, on its event loop.
 */
public final class ShortStrBytes {
    private static final int SIZE = 4;

    private final String[] strings = new String[SIZE];
    private final byte[][] bytes = new byte[SIZE][];
    private int next;

    /**
     * The UTF-8 bytes of {@code s}, as {@link Wire#writeShortStr} would write them; more than 255 bytes is an
     * {@link IllegalArgumentException}, as there.
     */
    public byte[] of(String s) {
        for (int k = 0; k < SIZE; k++) {
            if (strings[k] == s) {
                return bytes[k];
            }
        }
        byte[] encoded = encode(s);
        strings[next] = s;
        bytes[next] = encoded;
        next = (next + 1) % SIZE;
        return encoded;
    }

    /** {@code s} encoded by {@link Wire#writeShortStr} itself, without the length octet: the same bytes and errors. */
    static byte[] encode(String s) {
        ByteBuf buf = Unpooled.buffer(64); // grows; a string too long is refused before it is encoded
        Wire.writeShortStr(buf, s);
        return ByteBufUtil.getBytes(buf, 1, buf.readableBytes() - 1);
    }
}
