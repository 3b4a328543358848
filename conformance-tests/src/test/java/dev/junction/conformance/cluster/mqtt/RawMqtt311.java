package dev.junction.conformance.cluster.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT 3.1.1 client written by hand over a plain socket, for the QoS 2 exchange a test must drive packet by
 * packet: stock clients send PUBREC, PUBREL and PUBCOMP themselves and resend on their own terms. Only what the
 * cluster tests need: CONNECT as guest, SUBSCRIBE, QoS 2 PUBLISH (with or without DUP), the three QoS 2 answers,
 * and reading one packet at a time.
 */
final class RawMqtt311 implements AutoCloseable {

    /** MQTT 3.1.1 control packet types (section 2.2.1), by the value of the fixed header's upper four bits. */
    enum Type {
        CONNECT(1), CONNACK(2), PUBLISH(3), PUBACK(4), PUBREC(5), PUBREL(6), PUBCOMP(7), SUBSCRIBE(8), SUBACK(9),
        UNSUBSCRIBE(10), UNSUBACK(11), PINGREQ(12), PINGRESP(13), DISCONNECT(14);

        final int value;

        Type(int value) {
            this.value = value;
        }

        static Type of(int firstByte) {
            int v = firstByte >> 4;
            for (Type t : values()) {
                if (t.value == v) {
                    return t;
                }
            }
            throw new IllegalArgumentException("no MQTT packet type " + v);
        }

        /** The first byte with {@code flags}; PUBREL, SUBSCRIBE and UNSUBSCRIBE must carry 0b0010 [MQTT-3.6.1-1]. */
        int firstByte(int flags) {
            return value << 4 | flags;
        }
    }

    /** Bits of the PUBLISH fixed header (section 3.3.1). */
    private static final int DUP = 0b1000;
    private static final int QOS_2 = 0b0100;
    /** The reserved flags of PUBREL and SUBSCRIBE. */
    private static final int RESERVED_ONE = 0b0010;
    /** CONNECT flags (section 3.1.2.3). */
    private static final int USER_NAME = 0x80;
    private static final int PASSWORD = 0x40;
    private static final int CLEAN_SESSION = 0x02;
    private static final int PROTOCOL_LEVEL_311 = 4;

    /** One packet as read: its type, the fixed header's flags and the rest after the remaining length. */
    record Packet(Type type, int flags, byte[] body) {
        /** The packet identifier of an acknowledgement (its first two bytes). */
        int ackId() {
            return u16(0);
        }

        /** The packet identifier of a QoS 1 or 2 PUBLISH (after its topic). */
        int publishId() {
            return u16(2 + u16(0));
        }

        String publishPayload() {
            int from = 2 + u16(0) + ((flags & 0b0110) != 0 ? 2 : 0);
            return new String(body, from, body.length - from, StandardCharsets.UTF_8);
        }

        boolean dup() {
            return (flags & DUP) != 0;
        }

        private int u16(int at) {
            return (body[at] & 0xFF) << 8 | (body[at + 1] & 0xFF);
        }
    }

    private final Socket socket;
    private final DataInputStream in;

    RawMqtt311(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        in = new DataInputStream(socket.getInputStream());
    }

    /** CONNECT as guest with a keep alive of 60 s; returns the CONNACK's Session Present flag. */
    boolean connect(String clientId, boolean cleanSession) throws IOException {
        int flags = USER_NAME | PASSWORD | (cleanSession ? CLEAN_SESSION : 0);
        send(Type.CONNECT.firstByte(0), concat(str("MQTT"), new byte[] {PROTOCOL_LEVEL_311, (byte) flags, 0, 60},
                str(clientId), str("guest"), str("guest")));
        // The CONNACK comes once the cluster committed the client id's claim (and, resumed, read the session).
        Packet ack = read(30_000);
        if (ack == null || ack.type() != Type.CONNACK || ack.body()[1] != 0) {
            throw new IOException("connection refused: " + ack);
        }
        return (ack.body()[0] & 1) != 0;
    }

    /** SUBSCRIBE to one filter; returns the granted QoS of the SUBACK. */
    int subscribe(int packetId, String filter, int qos) throws IOException {
        send(Type.SUBSCRIBE.firstByte(RESERVED_ONE), concat(id(packetId), str(filter), new byte[] {(byte) qos}));
        Packet ack = read(30_000);
        if (ack == null || ack.type() != Type.SUBACK) {
            throw new IOException("no SUBACK: " + ack);
        }
        return ack.body()[2];
    }

    void publishQos2(int packetId, String topic, String payload, boolean dup) throws IOException {
        send(Type.PUBLISH.firstByte(QOS_2 | (dup ? DUP : 0)),
                concat(str(topic), id(packetId), payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** PUBREC, PUBREL or PUBCOMP of {@code packetId}. */
    void answer(Type type, int packetId) throws IOException {
        send(type.firstByte(type == Type.PUBREL ? RESERVED_ONE : 0), id(packetId));
    }

    /** The next packet, or null when none came within {@code timeoutMs}; an {@link EOFException} once closed. */
    Packet read(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        int first;
        try {
            first = in.readUnsignedByte();
        } catch (SocketTimeoutException none) {
            return null;
        }
        int length = 0;
        int shift = 0;
        int digit;
        do {
            digit = in.readUnsignedByte();
            length |= (digit & 0x7F) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(Type.of(first), first & 0x0F, body);
    }

    /** The next packet, which must come within {@code timeoutMs}. */
    Packet expect(int timeoutMs) throws IOException {
        Packet p = read(timeoutMs);
        if (p == null) {
            throw new IOException("no packet within " + timeoutMs + " ms");
        }
        return p;
    }

    private void send(int firstByte, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(firstByte);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(body);
        socket.getOutputStream().write(out.toByteArray());
        socket.getOutputStream().flush();
    }

    private static byte[] id(int packetId) {
        return new byte[] {(byte) (packetId >> 8), (byte) packetId};
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(id(b.length), b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Closes the socket without a DISCONNECT, as a client whose network went away. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
