package dev.junction.amqp10;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Decimal128;
import org.apache.qpid.proton.amqp.Decimal32;
import org.apache.qpid.proton.amqp.Decimal64;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;

/**
 * Values between AMQP 1.0's type system [AMQP 1.0 part 1 section 1.6] and the plain Java types of the engine's
 * headers ({@code MessageProperties}: String, Boolean, Byte, Short, Integer, Long, Float, Double, BigDecimal,
 * Instant, byte[], List, Map, null). Types the engine has no word for become the nearest wider one: unsigned
 * integers the next signed type up (an unsigned long above {@code Long.MAX_VALUE} a BigDecimal), symbols, chars
 * and UUIDs strings, decimals BigDecimals (and doubles on the way out, since JMS properties have no decimal).
 */
final class AmqpValues {
    private AmqpValues() {
    }

    /** An AMQP value as an engine header value. */
    static Object toEngine(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Byte || v instanceof Short
                || v instanceof Integer || v instanceof Long || v instanceof Float || v instanceof Double) {
            return v;
        }
        if (v instanceof Symbol s) {
            return s.toString();
        }
        if (v instanceof Binary b) {
            return b.getArray().length == b.getLength() && b.getArrayOffset() == 0 ? b.getArray() : copy(b);
        }
        if (v instanceof Date d) {
            return Instant.ofEpochMilli(d.getTime());
        }
        if (v instanceof UnsignedByte u) {
            return u.shortValue();
        }
        if (v instanceof UnsignedShort u) {
            return u.intValue();
        }
        if (v instanceof UnsignedInteger u) {
            return u.longValue();
        }
        if (v instanceof UnsignedLong u) {
            return u.longValue() >= 0 ? (Object) u.longValue() : new BigDecimal(u.bigIntegerValue());
        }
        if (v instanceof Decimal32 || v instanceof Decimal64 || v instanceof Decimal128) {
            return BigDecimal.valueOf(((Number) v).doubleValue()); // proton-j reads decimals only as doubles
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, value) -> out.put(String.valueOf(toEngine(k)), toEngine(value)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(e -> out.add(toEngine(e)));
            return out;
        }
        if (v instanceof Object[] array) {
            return toEngine(List.of(array));
        }
        return String.valueOf(v); // char, UUID
    }

    /** An engine header value as an AMQP value. */
    static Object toAmqp(Object v) {
        if (v instanceof Instant t) {
            return new Date(t.toEpochMilli());
        }
        if (v instanceof byte[] b) {
            return new Binary(b);
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue(); // a JMS property has no decimal type; a double is what every client reads
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, value) -> out.put(String.valueOf(k), toAmqp(value)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(e -> out.add(toAmqp(e)));
            return out;
        }
        return v;
    }

    /**
     * Whether an application property may hold {@code v}: only simple types, not maps, lists or arrays [AMQP 1.0
     * part 3 section 3.2.5].
     */
    static boolean simple(Object v) {
        return !(v instanceof Map<?, ?> || v instanceof List<?>);
    }

    /** A message-id or correlation-id [part 3 section 3.2.4: message-id-ulong, -uuid, -binary, -string]. */
    static String idText(Object id) {
        if (id instanceof Binary b) {
            return java.util.Base64.getEncoder().encodeToString(copy(b));
        }
        return id == null ? null : id.toString();
    }

    /** The id's type when it is no string: "ulong", "uuid" or "binary"; null for strings. */
    static String idType(Object id) {
        if (id instanceof UnsignedLong) {
            return "ulong";
        }
        if (id instanceof UUID) {
            return "uuid";
        }
        if (id instanceof Binary) {
            return "binary";
        }
        return null;
    }

    /** The id {@link #idText} and {@link #idType} describe; the text itself when the type is unknown or wrong. */
    static Object id(String text, Object type) {
        if (text == null) {
            return null;
        }
        try {
            return switch (type == null ? "" : type.toString()) {
                case "ulong" -> UnsignedLong.valueOf(text);
                case "uuid" -> UUID.fromString(text);
                case "binary" -> new Binary(java.util.Base64.getDecoder().decode(text));
                default -> text;
            };
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static byte[] copy(Binary b) {
        byte[] out = new byte[b.getLength()];
        System.arraycopy(b.getArray(), b.getArrayOffset(), out, 0, b.getLength());
        return out;
    }
}
