package dev.junction.routing.api;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Value equality for header and argument values as AMQP peers see it: integers of different widths are equal
 * when their values are, and a string equals the same text sent as a byte array (clients differ in how they
 * send long strings).
 */
public final class HeaderValues {
    private HeaderValues() {
    }

    public static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isInteger(a) && isInteger(b)) {
            return ((Number) a).longValue() == ((Number) b).longValue();
        }
        if (a instanceof Number x && b instanceof Number y) {
            return toDecimal(x).compareTo(toDecimal(y)) == 0;
        }
        if (a instanceof byte[] || b instanceof byte[]) {
            return Arrays.equals(bytes(a), bytes(b));
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            return tablesEqual(ma, mb);
        }
        return a.equals(b);
    }

    public static boolean tablesEqual(Map<?, ?> a, Map<?, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<?, ?> e : a.entrySet()) {
            if (!b.containsKey(e.getKey()) || !equal(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The value as text when it is a string or a byte array, else null. */
    public static String asString(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return null;
    }

    public static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    private static BigDecimal toDecimal(Number n) {
        return n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
    }

    private static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        return v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
    }
}
