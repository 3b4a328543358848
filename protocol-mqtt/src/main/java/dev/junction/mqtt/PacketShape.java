package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;

/**
 * Raw checks of one whole packet's bytes that the Netty codec does not make: where a packet's fields must end
 * exactly at its Remaining Length and the codec would leave the rest to be read as the next packet, and the
 * reserved bits of SUBSCRIBE options, which the codec drops before we see them. A packet that fails is malformed
 * (MQTT 5 section 4.13, 3.1.1 section 4.8) unless the rule names a Protocol Error. Also the size of an MQTT 5
 * packet's properties, which the codec would otherwise turn into objects before anything else sees them.
 */
final class PacketShape {
    /** A broken rule: what, and how an MQTT 5 client is told. */
    record Problem(String reason, ReasonCode code) {
    }

    /**
     * The largest property section accepted in an MQTT 5 packet, in bytes (the Property Length, MQTT 5 section
     * 2.2.2.1). The specification sets no limit, and a User Property (0x26) of two empty strings takes 5 bytes, so a
     * packet of {@code max_packet_size} could hold millions, each several objects once decoded: a 16 MiB PUBLISH made
     * the codec allocate over 300 MB. 64 KiB is the half of the 128 KiB allowed beyond {@code max_message_size} that
     * the topic does not take, and leaves room for thousands of properties.
     */
    static final int MAX_PROPERTY_BYTES = 65_536;

    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;
    private static final int PUBREC = 5;
    private static final int PUBREL = 6;
    private static final int PUBCOMP = 7;
    private static final int SUBSCRIBE = 8;
    private static final int UNSUBSCRIBE = 10;
    private static final int PINGREQ = 12;
    private static final int DISCONNECT = 14;
    private static final int AUTH = 15;

    private PacketShape() {
    }

    /**
     * Checks the packet whose body (after the fixed header) is {@code body}, from its reader index to its writer
     * index; null when nothing is wrong. {@code v5}: the connection speaks MQTT 5 (properties present).
     */
    static Problem check(int type, int flags, ByteBuf body, boolean v5) {
        int start = body.readerIndex();
        int length = body.readableBytes();
        if (v5) {
            Problem tooMany = propertySize(type, flags, body, start, start + length);
            if (tooMany != null) {
                return tooMany;
            }
        }
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
     * Refuses properties larger than {@link #MAX_PROPERTY_BYTES} in the packets a client sends once connected (its
     * CONNECT is held to {@link PacketGuard#MAX_PACKET_SIZE_UNAUTHENTICATED} in all). The packet is valid, so it is
     * neither Malformed nor a Protocol Error, and it is within the Maximum Packet Size the server announced, so not
     * 0x95 ("greater than Maximum Packet Size"); it is over a limit of this implementation: 0x97 Quota exceeded.
     * Where the properties would start past the packet the other checks or the codec report it.
     */
    private static Problem propertySize(int type, int flags, ByteBuf b, int start, int end) {
        int at = switch (type) {
            case PUBLISH -> end - start < 2 ? end  // topic length, topic, packet identifier from QoS 1
                    : start + 2 + b.getUnsignedShort(start) + ((flags & 0x06) != 0 ? 2 : 0);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> start + 3;
            case SUBSCRIBE, UNSUBSCRIBE -> start + 2;
            case DISCONNECT, AUTH -> start + 1;
            default -> end;
        };
        long vbi = variableByteInteger(b, at, end);
        if (vbi < 0 || (int) vbi <= MAX_PROPERTY_BYTES) {
            return null;
        }
        return new Problem("properties of " + (int) vbi + " bytes in a packet of type " + type + " exceed the maximum of "
                + MAX_PROPERTY_BYTES, ReasonCode.QUOTA_EXCEEDED);
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
                        ReasonCode.PROTOCOL_ERROR) : malformed("SUBSCRIBE with QoS 3 [MQTT-3.8.3-4 (3.1.1)]");
            }
            if (v5 && (options & 0x30) == 0x30) {
                return new Problem("SUBSCRIBE with Retain Handling 3 (MQTT 5 section 3.8.3.1)",
                        ReasonCode.PROTOCOL_ERROR);
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
        return new Problem(reason, ReasonCode.MALFORMED_PACKET);
    }
}
