package dev.junction.amqp.codec;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Makes a message's properties representable in an AMQP 0-9-1 content header. Messages from other protocols (an
 * MQTT 5 Content Type, Correlation Data, Response Topic or user name may be 65,535 bytes) can carry values AMQP
 * cannot: every basic property but the numeric ones and the timestamp is a shortstr of at most 255 octets, and a
 * field-table name is a shortstr too (AMQP 0-9-1 section 4.2.5.3, class basic). Rules:
 * <ul>
 *   <li>a string property over 255 UTF-8 bytes leaves the property and travels, unchanged, as the longstr header
 *       {@code x-junction-<property>} ({@code x-junction-content-type}, {@code x-junction-reply-to}, ...);</li>
 *   <li>a header whose name is over 255 UTF-8 bytes, or whose value has no field-table form, is dropped; the
 *       number dropped is in header {@link #DROPPED_HEADERS}.</li>
 * </ul>
 * Everything that fits is left as it is; a message that fits is returned unchanged.
 */
public final class ContentFit {
    /** Number of headers dropped because AMQP cannot carry them. */
    public static final String DROPPED_HEADERS = "x-junction-dropped-headers";
    static final String MOVED_PREFIX = "x-junction-";

    private ContentFit() {
    }

    /** Whether a shortstr field (an exchange name, a routing key) can hold {@code s}: at most 255 UTF-8 bytes. */
    public static boolean fitsShortstr(String s) {
        return s == null || s.length() <= Wire.MAX_SHORTSTR && ByteBufUtil.utf8Bytes(s) <= Wire.MAX_SHORTSTR;
    }

    /** The properties made representable, or {@code p} itself when they are. */
    public static MessageProperties fit(MessageProperties p) {
        MessageProperties.Builder b = p.toBuilder();
        Map<String, Object> moved = new LinkedHashMap<>();
        move(p.contentType(), "content-type", moved, b::contentType);
        move(p.contentEncoding(), "content-encoding", moved, b::contentEncoding);
        move(p.correlationId(), "correlation-id", moved, b::correlationId);
        move(p.replyTo(), "reply-to", moved, b::replyTo);
        move(p.expiration(), "expiration", moved, b::expiration);
        move(p.messageId(), "message-id", moved, b::messageId);
        move(p.type(), "type", moved, b::type);
        move(p.userId(), "user-id", moved, b::userId);
        move(p.appId(), "app-id", moved, b::appId);
        move(p.clusterId(), "cluster-id", moved, b::clusterId);
        int dropped = 0;
        Map<String, Object> headers = p.headers() == null ? Map.of() : p.headers();
        Map<String, Object> kept = new LinkedHashMap<>();
        for (Map.Entry<String, Object> h : headers.entrySet()) {
            if (fitsShortstr(h.getKey()) && encodable(h.getKey(), h.getValue())) {
                kept.put(h.getKey(), h.getValue());
            } else {
                dropped++;
            }
        }
        if (moved.isEmpty() && dropped == 0) {
            return p;
        }
        kept.putAll(moved);
        if (dropped > 0) {
            kept.put(DROPPED_HEADERS, dropped);
        }
        return b.headers(kept).build();
    }

    private static void move(String value, String name, Map<String, Object> moved, Function<String, ?> clear) {
        if (!fitsShortstr(value)) {
            moved.put(MOVED_PREFIX + name, value);
            clear.apply(null);
        }
    }

    private static boolean encodable(String key, Object value) {
        ByteBuf scratch = Unpooled.buffer();
        try {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put(key, value);
            FieldTables.write(scratch, one);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        } finally {
            scratch.release();
        }
    }
}
