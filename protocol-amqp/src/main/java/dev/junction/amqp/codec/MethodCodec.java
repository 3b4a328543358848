package dev.junction.amqp.codec;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.Map;

/**
 * Method arguments on the wire (AMQP 0-9-1 section 4.2.5): fields in order, consecutive {@code bit} fields
 * packed into octets least significant bit first, eight to an octet; any other field ends the packing.
 */
final class MethodCodec {
    private MethodCodec() {
    }

    /**
     * Reads arguments of the given types; reads stop at {@code in}'s writer index. Truncated or malformed input
     * throws {@link IndexOutOfBoundsException} or {@link IllegalArgumentException}.
     */
    static Object[] readArgs(ByteBuf in, FieldType[] types) {
        return readArgs(in, types, null);
    }

    /** As {@link #readArgs(ByteBuf, FieldType[])}, shortstrs through {@code strings} (null: none). */
    static Object[] readArgs(ByteBuf in, FieldType[] types, ShortStrings strings) {
        int n = types.length;
        Object[] args = new Object[n];
        int bits = 0;
        int bit = 8; // 8 = no octet in hand
        for (int i = 0; i < n; i++) {
            FieldType t = types[i];
            if (t == FieldType.BIT) {
                if (bit == 8) {
                    bits = in.readUnsignedByte();
                    bit = 0;
                }
                args[i] = ((bits >>> bit++) & 1) != 0 ? Boolean.TRUE : Boolean.FALSE;
                continue;
            }
            bit = 8;
            switch (t) {
                case SHORTSTR:
                    args[i] = strings == null ? Wire.readShortStr(in) : strings.read(in);
                    break;
                case LONGLONG:
                    args[i] = in.readLong();
                    break;
                case SHORT:
                    args[i] = in.readUnsignedShort();
                    break;
                case LONG:
                    args[i] = in.readUnsignedInt();
                    break;
                case OCTET:
                    args[i] = (int) in.readUnsignedByte();
                    break;
                case LONGSTR:
                    args[i] = Wire.readLongStrBytes(in);
                    break;
                case TABLE:
                    args[i] = FieldTables.read(in, in.writerIndex());
                    break;
                case TIMESTAMP:
                    args[i] = Instant.ofEpochSecond(in.readLong());
                    break;
                default:
                    throw new IllegalStateException("unexpected field type " + t);
            }
        }
        return args;
    }

    /** Writes arguments of the given types; values must have the canonical Java types (see {@link FieldType}). */
    static void writeArgs(ByteBuf out, FieldType[] types, Object[] args) {
        int bits = 0;
        int bit = -1; // -1 = no octet being packed
        for (int i = 0; i < types.length; i++) {
            FieldType t = types[i];
            if (t == FieldType.BIT) {
                if (bit == 8) {
                    out.writeByte(bits);
                    bit = -1;
                }
                if (bit < 0) {
                    bits = 0;
                    bit = 0;
                }
                if ((Boolean) args[i]) {
                    bits |= 1 << bit;
                }
                bit++;
                continue;
            }
            if (bit >= 0) {
                out.writeByte(bits);
                bit = -1;
            }
            Object v = args[i];
            switch (t) {
                case SHORTSTR:
                    Wire.writeShortStr(out, (String) v);
                    break;
                case LONGLONG:
                    out.writeLong((Long) v);
                    break;
                case SHORT:
                    out.writeShort(((Number) v).intValue());
                    break;
                case LONG:
                    out.writeInt((int) ((Number) v).longValue());
                    break;
                case OCTET:
                    out.writeByte(((Number) v).intValue());
                    break;
                case LONGSTR:
                    Wire.writeLongStr(out, (byte[]) v);
                    break;
                case TABLE: {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> table = (Map<String, ?>) v;
                    FieldTables.writeTable(out, table, 0);
                    break;
                }
                case TIMESTAMP:
                    out.writeLong(((Instant) v).getEpochSecond());
                    break;
                default:
                    throw new IllegalStateException("unexpected field type " + t);
            }
        }
        if (bit >= 0) {
            out.writeByte(bits);
        }
    }
}
