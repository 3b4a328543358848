package dev.junction.amqp.codec;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.Map;

/**
 * The basic class's content properties (AMQP 0-9-1 section 4.2.6.1): a 16-bit property-flags word (bit 15 =
 * first property, bit 0 = another flags word follows) then the present properties in order.
 */
final class ContentProperties {
    private static final int CONTENT_TYPE = 1 << 15;
    private static final int CONTENT_ENCODING = 1 << 14;
    private static final int HEADERS = 1 << 13;
    private static final int DELIVERY_MODE = 1 << 12;
    private static final int PRIORITY = 1 << 11;
    private static final int CORRELATION_ID = 1 << 10;
    private static final int REPLY_TO = 1 << 9;
    private static final int EXPIRATION = 1 << 8;
    private static final int MESSAGE_ID = 1 << 7;
    private static final int TIMESTAMP = 1 << 6;
    private static final int TYPE = 1 << 5;
    private static final int USER_ID = 1 << 4;
    private static final int APP_ID = 1 << 3;
    private static final int CLUSTER_ID = 1 << 2;
    private static final int CONTINUATION = 1;

    private ContentProperties() {
    }

    static void write(ByteBuf out, MessageProperties p) {
        int flagsIndex = out.writerIndex();
        out.writeShort(0);
        if (p == null || p == MessageProperties.EMPTY) {
            return;
        }
        int flags = 0;
        if (p.contentType() != null) {
            flags |= CONTENT_TYPE;
            Wire.writeShortStr(out, p.contentType());
        }
        if (p.contentEncoding() != null) {
            flags |= CONTENT_ENCODING;
            Wire.writeShortStr(out, p.contentEncoding());
        }
        Map<String, Object> headers = p.headers();
        if (headers != null && !headers.isEmpty()) {
            flags |= HEADERS;
            FieldTables.writeTable(out, headers, 0);
        }
        if (p.deliveryMode() != null) {
            flags |= DELIVERY_MODE;
            out.writeByte(octet("delivery-mode", p.deliveryMode()));
        }
        if (p.priority() != null) {
            flags |= PRIORITY;
            out.writeByte(octet("priority", p.priority()));
        }
        if (p.correlationId() != null) {
            flags |= CORRELATION_ID;
            Wire.writeShortStr(out, p.correlationId());
        }
        if (p.replyTo() != null) {
            flags |= REPLY_TO;
            Wire.writeShortStr(out, p.replyTo());
        }
        if (p.expiration() != null) {
            flags |= EXPIRATION;
            Wire.writeShortStr(out, p.expiration());
        }
        if (p.messageId() != null) {
            flags |= MESSAGE_ID;
            Wire.writeShortStr(out, p.messageId());
        }
        if (p.timestamp() != null) {
            flags |= TIMESTAMP;
            out.writeLong(p.timestamp().getEpochSecond());
        }
        if (p.type() != null) {
            flags |= TYPE;
            Wire.writeShortStr(out, p.type());
        }
        if (p.userId() != null) {
            flags |= USER_ID;
            Wire.writeShortStr(out, p.userId());
        }
        if (p.appId() != null) {
            flags |= APP_ID;
            Wire.writeShortStr(out, p.appId());
        }
        if (p.clusterId() != null) {
            flags |= CLUSTER_ID;
            Wire.writeShortStr(out, p.clusterId());
        }
        out.setShort(flagsIndex, flags);
    }

    private static int octet(String name, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + " " + value + " is outside 0..255");
        }
        return value;
    }

    /** Reads properties up to {@code in}'s writer index; malformed input throws IndexOutOfBounds/IllegalArgument. */
    static MessageProperties read(ByteBuf in) {
        int flags = in.readUnsignedShort();
        if ((flags & CONTINUATION) != 0) {
            // Class basic has 14 properties, so further flag words may only continue the chain: any property bit
            // set in them names a property we cannot parse.
            int more;
            do {
                more = in.readUnsignedShort();
                if ((more & ~CONTINUATION) != 0) {
                    throw new IllegalArgumentException("property flags name properties class basic lacks");
                }
            } while ((more & CONTINUATION) != 0);
        }
        if ((flags & ~CONTINUATION) == 0) {
            return MessageProperties.EMPTY;
        }
        String contentType = (flags & CONTENT_TYPE) != 0 ? Wire.readShortStr(in) : null;
        String contentEncoding = (flags & CONTENT_ENCODING) != 0 ? Wire.readShortStr(in) : null;
        Map<String, Object> headers = (flags & HEADERS) != 0 ? FieldTables.read(in, in.writerIndex()) : null;
        Integer deliveryMode = (flags & DELIVERY_MODE) != 0 ? Integer.valueOf(in.readUnsignedByte()) : null;
        Integer priority = (flags & PRIORITY) != 0 ? Integer.valueOf(in.readUnsignedByte()) : null;
        String correlationId = (flags & CORRELATION_ID) != 0 ? Wire.readShortStr(in) : null;
        String replyTo = (flags & REPLY_TO) != 0 ? Wire.readShortStr(in) : null;
        String expiration = (flags & EXPIRATION) != 0 ? Wire.readShortStr(in) : null;
        String messageId = (flags & MESSAGE_ID) != 0 ? Wire.readShortStr(in) : null;
        Instant timestamp = (flags & TIMESTAMP) != 0 ? Instant.ofEpochSecond(in.readLong()) : null;
        String type = (flags & TYPE) != 0 ? Wire.readShortStr(in) : null;
        String userId = (flags & USER_ID) != 0 ? Wire.readShortStr(in) : null;
        String appId = (flags & APP_ID) != 0 ? Wire.readShortStr(in) : null;
        String clusterId = (flags & CLUSTER_ID) != 0 ? Wire.readShortStr(in) : null;
        return new MessageProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }
}
