package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMQP field tables and arrays with the value types RabbitMQ uses (its 0-9-1 errata, not the spec's table).
 *
 * <p>Decoding maps: {@code t}→Boolean, {@code b}→Byte, {@code B}→Short (unsigned), {@code s}→Short,
 * {@code u}→Integer (unsigned), {@code I}→Integer, {@code i}→Long (unsigned), {@code l}→Long,
 * {@code f}→Float,
 * {@code d}→Double, {@code D}→BigDecimal, {@code S}→String when the bytes are valid UTF-8 else byte[],
 * {@code T}→Instant (seconds), {@code F}→Map (LinkedHashMap, wire order), {@code A}→List, {@code V}→null,
 * {@code x}→byte[]. RabbitMQ also reads {@code L} as a signed 64-bit value, and so does this class.
 *
 * <p>Encoding maps: String→S, Boolean→t, Byte→b, Short→s, Integer→I, Long→l, Float→f, Double→d,
 * BigDecimal→D, Instant→T, Map→F, List→A, byte[]→x, null→V; anything else is an
 * {@link IllegalArgumentException}.
 *
 * <p>Malformed input (truncated, an unknown type octet, nesting deeper than {@value #MAX_DEPTH}) is an
 * {@link IllegalArgumentException}.
 */
public final class FieldTables {
    /** Tables and arrays nested deeper than this are refused (keeps recursion off the stack's edge). */
    public static final int MAX_DEPTH = 64;

    private FieldTables() {
    }

    /** Writes a table: its byte length (long) then its entries in the map's iteration order. */
    public static void write(ByteBuf out, Map<String, ?> table) {
        int start = out.writerIndex();
        try {
            writeTable(out, table, 0);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /** Reads a table written as {@link #write} writes it, advancing the reader index past it. */
    public static Map<String, Object> read(ByteBuf in) {
        return read(in, in.writerIndex());
    }

    /** Reads a table that must end at or before {@code limit} (a writer-side index of {@code in}). */
    static Map<String, Object> read(ByteBuf in, int limit) {
        try {
            return readTable(in, limit, 0);
        } catch (IndexOutOfBoundsException | DateTimeException e) {
            throw new IllegalArgumentException("malformed field table: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- encode

    static void writeTable(ByteBuf out, Map<?, ?> table, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field table nested deeper than " + MAX_DEPTH);
        }
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        if (!table.isEmpty()) {
            for (Map.Entry<?, ?> e : table.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("field table key is not a String: " + e.getKey());
                }
                Wire.writeShortStr(out, key);
                writeValue(out, e.getValue(), depth);
            }
            out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
        }
    }

    private static void writeArray(ByteBuf out, List<?> array, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field array nested deeper than " + MAX_DEPTH);
        }
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        for (Object v : array) {
            writeValue(out, v, depth);
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    private static void writeValue(ByteBuf out, Object v, int depth) {
        if (v instanceof String s) {
            out.writeByte('S');
            Wire.writeLongStr(out, s);
        } else if (v == null) {
            out.writeByte('V');
        } else if (v instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('l');
            out.writeLong(l);
        } else if (v instanceof Boolean b) {
            out.writeByte('t');
            out.writeByte(b ? 1 : 0);
        } else if (v instanceof Map<?, ?> m) {
            out.writeByte('F');
            writeTable(out, m, depth + 1);
        } else if (v instanceof List<?> list) {
            out.writeByte('A');
            writeArray(out, list, depth + 1);
        } else if (v instanceof byte[] bytes) {
            out.writeByte('x');
            Wire.writeLongStr(out, bytes);
        } else if (v instanceof Byte b) {
            out.writeByte('b');
            out.writeByte(b);
        } else if (v instanceof Short s) {
            out.writeByte('s');
            out.writeShort(s);
        } else if (v instanceof Double d) {
            out.writeByte('d');
            out.writeDouble(d);
        } else if (v instanceof Float f) {
            out.writeByte('f');
            out.writeFloat(f);
        } else if (v instanceof BigDecimal d) {
            writeDecimal(out, d);
        } else if (v instanceof Instant t) {
            out.writeByte('T');
            out.writeLong(t.getEpochSecond());
        } else {
            throw new IllegalArgumentException("no field table type for " + v.getClass().getName());
        }
    }

    private static void writeDecimal(ByteBuf out, BigDecimal d) {
        int scale = d.scale();
        if (scale < 0 || scale > 255) {
            throw new IllegalArgumentException("decimal scale " + scale + " is outside 0..255: " + d);
        }
        BigInteger unscaled = d.unscaledValue();
        if (unscaled.bitLength() > 31) {
            throw new IllegalArgumentException("decimal unscaled value does not fit 32 bits: " + d);
        }
        out.writeByte('D');
        out.writeByte(scale);
        out.writeInt(unscaled.intValue());
    }

    // ---------------------------------------------------------------------------------------------- decode

    private static Map<String, Object> readTable(ByteBuf in, int limit, int depth) {
        int end = readLength(in, limit, depth);
        Map<String, Object> table = new LinkedHashMap<>();
        while (in.readerIndex() < end) {
            need(in, end, 1);
            int keyLength = in.readUnsignedByte();
            need(in, end, keyLength + 1);
            String key = Wire.readUtf8(in, keyLength);
            byte type = in.readByte();
            table.put(key, readValue(in, end, type, depth));
        }
        return table;
    }

    private static List<Object> readArray(ByteBuf in, int limit, int depth) {
        int end = readLength(in, limit, depth);
        List<Object> array = new ArrayList<>();
        while (in.readerIndex() < end) {
            byte type = in.readByte();
            array.add(readValue(in, end, type, depth));
        }
        return array;
    }

    /** Reads a table's or array's long length and returns the index where it ends. */
    private static int readLength(ByteBuf in, int limit, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field table nested deeper than " + MAX_DEPTH);
        }
        need(in, limit, 4);
        long length = in.readUnsignedInt();
        if (length > limit - in.readerIndex()) {
            throw new IllegalArgumentException("field table length " + length + " overruns its container");
        }
        return in.readerIndex() + (int) length;
    }

    private static void need(ByteBuf in, int end, int bytes) {
        if (bytes > end - in.readerIndex()) {
            throw new IllegalArgumentException("field table truncated");
        }
    }

    private static Object readValue(ByteBuf in, int end, byte type, int depth) {
        switch (type) {
            case 'S': {
                need(in, end, 4);
                long length = in.readUnsignedInt();
                if (length > end - in.readerIndex()) {
                    throw new IllegalArgumentException("field table truncated");
                }
                int len = (int) length;
                int index = in.readerIndex();
                if (ByteBufUtil.isText(in, index, len, StandardCharsets.UTF_8)) {
                    return Wire.readUtf8(in, len);
                }
                byte[] bytes = new byte[len];
                in.readBytes(bytes);
                return bytes;
            }
            case 'I':
                need(in, end, 4);
                return in.readInt();
            case 't':
                need(in, end, 1);
                return in.readByte() != 0;
            case 'l':
            case 'L':
                need(in, end, 8);
                return in.readLong();
            case 'F':
                return readTable(in, end, depth + 1);
            case 'A':
                return readArray(in, end, depth + 1);
            case 'T':
                need(in, end, 8);
                return Instant.ofEpochSecond(in.readLong());
            case 'V':
                return null;
            case 'b':
                need(in, end, 1);
                return in.readByte();
            case 'B':
                need(in, end, 1);
                return in.readUnsignedByte();
            case 's':
                need(in, end, 2);
                return in.readShort();
            case 'u':
                need(in, end, 2);
                return in.readUnsignedShort();
            case 'i':
                need(in, end, 4);
                return in.readUnsignedInt();
            case 'f':
                need(in, end, 4);
                return in.readFloat();
            case 'd':
                need(in, end, 8);
                return in.readDouble();
            case 'D': {
                need(in, end, 5);
                int scale = in.readUnsignedByte();
                return BigDecimal.valueOf(in.readInt(), scale);
            }
            case 'x': {
                need(in, end, 4);
                long length = in.readUnsignedInt();
                if (length > end - in.readerIndex()) {
                    throw new IllegalArgumentException("field table truncated");
                }
                byte[] bytes = new byte[(int) length];
                in.readBytes(bytes);
                return bytes;
            }
            default:
                throw new IllegalArgumentException(
                        "unknown field table value type 0x" + Integer.toHexString(type & 0xFF));
        }
    }
}
