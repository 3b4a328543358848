package dev.junction.routing;

import dev.junction.routing.api.MessageProperties;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the neutral header/argument value types (see {@link MessageProperties}) with a one-byte type tag, so
 * stored messages and definitions come back with the exact types they were published with.
 */
public final class ValueCodec {
    private ValueCodec() {
    }

    public static void writeTable(DataOutput out, Map<String, Object> table) throws IOException {
        out.writeInt(table.size());
        for (Map.Entry<String, Object> e : table.entrySet()) {
            writeString(out, e.getKey());
            writeValue(out, e.getValue());
        }
    }

    public static Map<String, Object> readTable(DataInput in) throws IOException {
        int n = in.readInt();
        Map<String, Object> table = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            String key = readString(in);
            table.put(key, readValue(in));
        }
        return table;
    }

    public static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    public static String readString(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void writeNullableString(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    public static String readNullableString(DataInput in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    @SuppressWarnings("unchecked")
    public static void writeValue(DataOutput out, Object v) throws IOException {
        if (v == null) {
            out.writeByte('V');
        } else if (v instanceof String s) {
            out.writeByte('S');
            writeString(out, s);
        } else if (v instanceof Boolean b) {
            out.writeByte('t');
            out.writeBoolean(b);
        } else if (v instanceof Byte b) {
            out.writeByte('b');
            out.writeByte(b);
        } else if (v instanceof Short s) {
            out.writeByte('s');
            out.writeShort(s);
        } else if (v instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('l');
            out.writeLong(l);
        } else if (v instanceof Float f) {
            out.writeByte('f');
            out.writeFloat(f);
        } else if (v instanceof Double d) {
            out.writeByte('d');
            out.writeDouble(d);
        } else if (v instanceof BigDecimal d) {
            out.writeByte('D');
            out.writeInt(d.scale());
            byte[] unscaled = d.unscaledValue().toByteArray();
            out.writeInt(unscaled.length);
            out.write(unscaled);
        } else if (v instanceof Instant t) {
            out.writeByte('T');
            out.writeLong(t.getEpochSecond());
        } else if (v instanceof byte[] bytes) {
            out.writeByte('x');
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (v instanceof List<?> list) {
            out.writeByte('A');
            out.writeInt(list.size());
            for (Object o : list) {
                writeValue(out, o);
            }
        } else if (v instanceof Map<?, ?> map) {
            out.writeByte('F');
            writeTable(out, (Map<String, Object>) map);
        } else {
            throw new IOException("unsupported header value type " + v.getClass().getName());
        }
    }

    public static Object readValue(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 'V':
                return null;
            case 'S':
                return readString(in);
            case 't':
                return in.readBoolean();
            case 'b':
                return in.readByte();
            case 's':
                return in.readShort();
            case 'I':
                return in.readInt();
            case 'l':
                return in.readLong();
            case 'f':
                return in.readFloat();
            case 'd':
                return in.readDouble();
            case 'D': {
                int scale = in.readInt();
                byte[] unscaled = new byte[in.readInt()];
                in.readFully(unscaled);
                return new BigDecimal(new BigInteger(unscaled), scale);
            }
            case 'T':
                return Instant.ofEpochSecond(in.readLong());
            case 'x': {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                return b;
            }
            case 'A': {
                int n = in.readInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readValue(in));
                }
                return list;
            }
            case 'F':
                return readTable(in);
            default:
                throw new IOException("unknown value tag " + tag);
        }
    }
}
