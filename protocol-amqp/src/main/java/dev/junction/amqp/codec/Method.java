package dev.junction.amqp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * One AMQP method: its {@link MethodType} and its arguments in wire order (Java types as listed on
 * {@link FieldType}). Build with {@link MethodType#with}; the decoder builds them from frames.
 *
 * <p>Typed accessors take the field name as the protocol definition spells it and throw
 * {@link IllegalArgumentException} for a name the method does not have or a field of another type.
 * Positional access ({@link #arg(int)}) skips the name lookup.
 */
public final class Method {
    private final MethodType type;
    private final Object[] args;

    /** Trusted: {@code args} already hold the canonical Java types for {@code type}'s fields. */
    Method(MethodType type, Object[] args) {
        this.type = type;
        this.args = args;
    }

    public MethodType type() {
        return type;
    }

    /** The number of arguments. */
    public int arity() {
        return args.length;
    }

    /** The argument at {@code index} (wire order). */
    public Object arg(int index) {
        return args[index];
    }

    /** A shortstr, or a longstr decoded as UTF-8. */
    public String str(String field) {
        int i = index(field);
        FieldType t = type.types[i];
        if (t == FieldType.SHORTSTR) {
            return (String) args[i];
        }
        if (t == FieldType.LONGSTR) {
            return new String((byte[]) args[i], StandardCharsets.UTF_8);
        }
        throw wrongType(i, "a string");
    }

    /** A longstr's bytes (e.g. connection.start-ok {@code response}), or a shortstr's UTF-8 bytes. */
    public byte[] bytes(String field) {
        int i = index(field);
        FieldType t = type.types[i];
        if (t == FieldType.LONGSTR) {
            return ((byte[]) args[i]).clone();
        }
        if (t == FieldType.SHORTSTR) {
            return ((String) args[i]).getBytes(StandardCharsets.UTF_8);
        }
        throw wrongType(i, "a string");
    }

    public boolean bit(String field) {
        int i = index(field);
        if (type.types[i] != FieldType.BIT) {
            throw wrongType(i, "bit");
        }
        return (Boolean) args[i];
    }

    /**
     * An octet, short or long. A long is unsigned 32 bits: values above {@link Integer#MAX_VALUE} saturate to
     * {@code Integer.MAX_VALUE} (use {@link #longValue} for the exact value).
     */
    public int integer(String field) {
        int i = index(field);
        switch (type.types[i]) {
            case OCTET:
            case SHORT:
                return (Integer) args[i];
            case LONG:
                return (int) Math.min((Long) args[i], Integer.MAX_VALUE);
            default:
                throw wrongType(i, "octet, short or long");
        }
    }

    /** A longlong, long, short or octet. */
    public long longValue(String field) {
        int i = index(field);
        switch (type.types[i]) {
            case LONGLONG:
            case LONG:
                return (Long) args[i];
            case OCTET:
            case SHORT:
                return (Integer) args[i];
            default:
                throw wrongType(i, "longlong or long");
        }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> table(String field) {
        int i = index(field);
        if (type.types[i] != FieldType.TABLE) {
            throw wrongType(i, "table");
        }
        return (Map<String, Object>) args[i];
    }

    private int index(String field) {
        int i = type.indexOf(field);
        if (i < 0) {
            throw new IllegalArgumentException(type.amqpName() + " has no field '" + field + "'");
        }
        return i;
    }

    private IllegalArgumentException wrongType(int i, String wanted) {
        return new IllegalArgumentException(type.amqpName() + " " + type.names[i] + " is "
                + type.types[i].name().toLowerCase() + ", not " + wanted);
    }

    /** Raw argument array for the encoder; not copied. */
    Object[] args() {
        return args;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Method m && m.type == type && Arrays.deepEquals(m.args, args);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.deepHashCode(args);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type.amqpName()).append('(');
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(type.names[i]).append('=');
            Object v = args[i];
            if (v instanceof byte[] b) {
                sb.append('<').append(b.length).append(" bytes>");
            } else if (v instanceof String s) {
                sb.append('"').append(s).append('"');
            } else {
                sb.append(v);
            }
        }
        return sb.append(')').toString();
    }
}
