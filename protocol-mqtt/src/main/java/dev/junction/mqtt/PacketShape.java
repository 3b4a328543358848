package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;

/**
 * Raw checks of one whole packet's bytes that the Netty codec does not make: where a packet's fields must end
 * exactly at its Remaining Length and the codec would leave the rest to be read as the next packet, and the
 * reserved bits of SUBSCRIBE options, which the codec drops before we see them. A packet that fails is malformed
 * (MQTT 5 section 4.13, 3.1.1 section 4.8) unless the rule names a Protocol Error.
 */
final class PacketShape {
    /** A broken rule: what, and how an MQTT 5 client is told. */
    record Problem(String reason, DisconnectReason code) {
    }

    private static final int PUBACK = 4;
    private static final int PUBREC = 5;
    private static final int PUBREL = 6;
    private static final int PUBCOMP = 7;
    private static final int SUBSCRIBE = 8;
    private static final int PINGREQ = 12;
    private static final int DISCONNECT = 14;
    private static final int AUTH = 15;

    private PacketShape() {
    }

    /**
     * Checks the packet whose body (after the fixed header) is {@code body}, from its reader index to its writer
     * index; null when nothing is wrong. {@code v5}: the connection speaks MQTT 5 (properties present).
     */
    static Problem check(int type, ByteBuf body, boolean v5) {
        int start = body.readerIndex();
        int length = body.readableBytes();
        return switch (type) {
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> pubReply(body, start, length, v5);
            case PINGREQ -> length == 0 ? null : malformed("PINGREQ with a body (Remaining Length must be 0)");
            case DISCONNECT, AUTH -> v5 ? reasonAndProperties(type, body, start, length)
                    : length == 0 ? null : malformed("DISCONNECT with a body (MQTT 3.1.1: Remaining Length 0)");
            case SUBSCRIBE -> subscribeOptions(body, start, length, v5);
            default -> null;
        };
    }

    /** Packet id, then (MQTT 5) an optional reason code and optional properties, ending the packet. */
    private static Problem pubReply(ByteBuf b, int start, int length, boolean v5) {
        if (length < 2) {
            return malformed("acknowledgement shorter than its packet identifier");
        }
        if (!v5 || length <= 3) {
            return length == 2 || v5 ? null : malformed("acknowledgement longer than its packet identifier");
        }
        return propertiesEndPacket(b, start + 3, start + length, "acknowledgement");
    }

    /** An optional reason code and optional properties, ending the packet (MQTT 5 DISCONNECT and AUTH). */
    private static Problem reasonAndProperties(int type, ByteBuf b, int start, int length) {
        if (length <= 1) {
            return null;
        }
        return propertiesEndPacket(b, start + 1, start + length, type == AUTH ? "AUTH" : "DISCONNECT");
    }

    private static Problem propertiesEndPacket(ByteBuf b, int at, int end, String what) {
        long vbi = variableByteInteger(b, at, end);
        if (vbi < 0) {
            return malformed(what + " with a broken property length");
        }
        int after = at + (int) (vbi >>> 32) + (int) vbi;
        return after == end ? null : malformed(what + " whose properties do not end the packet");
    }

    /**
     * SUBSCRIBE: every Subscription Options byte must have its reserved bits clear: 3.1.1 bits 2-7
     * [MQTT-3.8.3-4 (3.1.1)], MQTT 5 bits 6-7 [MQTT-3.8.3-5]. In MQTT 5 a Maximum QoS or a Retain Handling of 3 is a
     * Protocol Error (section 3.8.3.1). Where the fields run past the packet the codec reports it.
     */
    private static Problem subscribeOptions(ByteBuf b, int start, int length, boolean v5) {
        int end = start + length;
        int at = start + 2; // packet identifier
        if (v5) {
            long vbi = variableByteInteger(b, at, end);
            if (vbi < 0) {
                return null; // the codec reports the truncation
            }
            at += (int) (vbi >>> 32) + (int) vbi;
        }
        while (at + 2 <= end) {
            at += 2 + b.getUnsignedShort(at);
            if (at >= end) {
                return null; // no options byte: the codec reports the truncation
            }
            int options = b.getUnsignedByte(at++);
            if (!v5 && (options & 0xFC) != 0) {
                return malformed("SUBSCRIBE options with reserved bits set [MQTT-3.8.3-4 (3.1.1)]");
            }
            if (v5 && (options & 0xC0) != 0) {
                return malformed("SUBSCRIBE options with reserved bits set [MQTT-3.8.3-5]");
            }
            if ((options & 0x03) == 3) {
                return v5 ? new Problem("SUBSCRIBE with Maximum QoS 3 (MQTT 5 section 3.8.3.1)",
                        DisconnectReason.PROTOCOL_ERROR) : malformed("SUBSCRIBE with QoS 3 [MQTT-3.8.3-4 (3.1.1)]");
            }
            if (v5 && (options & 0x30) == 0x30) {
                return new Problem("SUBSCRIBE with Retain Handling 3 (MQTT 5 section 3.8.3.1)",
                        DisconnectReason.PROTOCOL_ERROR);
            }
        }
        return null;
    }

    /**
     * A Variable Byte Integer at {@code at} (MQTT 5 section 1.5.5): the value in the low 32 bits and the number of
     * bytes it took in the high 32 bits, or -1 when it runs past {@code end} or takes more than four bytes.
     */
    static long variableByteInteger(ByteBuf b, int at, int end) {
        int value = 0;
        int multiplier = 1;
        for (int i = 0; i < 4; i++) {
            if (at + i >= end) {
                return -1;
            }
            int digit = b.getUnsignedByte(at + i);
            value += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return ((long) (i + 1) << 32) | value;
            }
            multiplier *= 128;
        }
        return -1;
    }

    private static Problem malformed(String reason) {
        return new Problem(reason, DisconnectReason.MALFORMED_PACKET);
    }
}
