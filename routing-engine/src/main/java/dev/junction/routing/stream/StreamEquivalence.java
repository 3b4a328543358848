package dev.junction.routing.stream;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Whether a redeclared stream asks for the arguments it has, as RabbitMQ 3.10 compares them: only the arguments its
 * stream queue type lists, in that order ({@code x-max-length-bytes}, {@code x-queue-type}, {@code x-max-age},
 * {@code x-stream-max-segment-size-bytes}, {@code x-initial-cluster-size}, {@code x-queue-leader-locator}); the
 * others a stream ignores ({@code x-single-active-consumer}, {@code x-max-length}, {@code x-message-ttl}, ...) may
 * differ. A difference is 406 PRECONDITION_FAILED worded as RabbitMQ words it: {@code received '1D' but current is
 * '7D'} when both are set, {@code received none but current is the value '7D' of type 'longstr'} when one is
 * missing. Values compare within a type class (integers of any width alike, as floats, as strings).
 */
public final class StreamEquivalence {
    static final List<String> KEYS = List.of("x-max-length-bytes", "x-queue-type", "x-max-age",
            "x-stream-max-segment-size-bytes", "x-initial-cluster-size", "x-queue-leader-locator");

    /** Java types an AMQP field table decodes to, and RabbitMQ's names of the field types they came from. */
    private static final List<Class<?>> FIELD_TYPES = List.of(Byte.class, Short.class, Integer.class, Long.class,
            Float.class, Double.class, BigDecimal.class, Boolean.class, Instant.class, Map.class, List.class);
    private static final List<String> FIELD_TYPE_NAMES = List.of("byte", "short", "signedint", "long", "float",
            "double", "decimal", "bool", "timestamp", "table", "array");

    private StreamEquivalence() {
    }

    /** Throws 406 naming the first compared argument of {@code requested} that differs from {@code current}. */
    public static void check(Map<String, Object> current, Map<String, Object> requested, String what) {
        for (String key : KEYS) {
            boolean had = current.containsKey(key);
            boolean asked = requested.containsKey(key);
            Object a = current.get(key);
            Object b = requested.get(key);
            if (!had && !asked) {
                continue;
            }
            if (had && asked && typeClass(a).equals(typeClass(b)) && HeaderValues.equal(a, b)) {
                continue;
            }
            String received = had && asked ? value(b) : typed(asked, b);
            String currentIs = had && asked ? value(a) : typed(had, a);
            throw BrokerException.preconditionFailed("inequivalent arg '" + key + "' for " + what + ": received "
                    + received + " but current is " + currentIs);
        }
    }

    private static String typed(boolean present, Object v) {
        return present ? "the value '" + text(v) + "' of type '" + typeName(v) + "'" : "none";
    }

    private static String value(Object v) {
        return "'" + text(v) + "'";
    }

    private static String text(Object v) {
        String s = HeaderValues.asString(v);
        return s != null ? s : String.valueOf(v);
    }

    /** The AMQP field type's name as RabbitMQ prints it. */
    static String typeName(Object v) {
        if (v == null) {
            return "void";
        }
        for (int i = 0; i < FIELD_TYPES.size(); i++) {
            if (FIELD_TYPES.get(i).isInstance(v)) {
                return FIELD_TYPE_NAMES.get(i);
            }
        }
        return HeaderValues.asString(v) != null ? "longstr" : v.getClass().getSimpleName();
    }

    /** RabbitMQ's type classes: integers of any width are one class, floats another, the rest each their own. */
    private static String typeClass(Object v) {
        if (HeaderValues.isInteger(v)) {
            return "int";
        }
        if (v instanceof Float || v instanceof Double) {
            return "float";
        }
        return typeName(v);
    }
}
