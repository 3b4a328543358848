package dev.junction.conformance.durability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * MQTT packets written by hand over a plain socket, for the exchanges a stock client will not let a test stop in
 * the middle of (a PUBLISH answered with PUBREC but never released, a PUBREC never completed).
 */
final class MqttWire implements AutoCloseable {
    /** A packet read back: the first byte and the bytes after the remaining length. */
    record Packet(int header, byte[] body) {
        int type() {
            return header >> 4;
        }

        /** The packet id of PUBACK/PUBREC/PUBREL/PUBCOMP (the first two bytes). */
        int packetId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }
    }

    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBACK = 9;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private MqttWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects as guest with MQTT 3.1.1; {@code sessionPresent[0]} gets the CONNACK's session-present flag. */
    static MqttWire connect311(int port, String clientId, boolean cleanSession, boolean[] sessionPresent)
            throws IOException {
        MqttWire w = new MqttWire(port);
        byte[] header = concat(str("MQTT"), new byte[] {4, (byte) (0xC0 | (cleanSession ? 0x02 : 0)), 0, 60});
        w.send(packet(0x10, concat(header, str(clientId), str("guest"), str("guest"))));
        Packet ack = w.expect(CONNACK, 5000);
        if (ack.body()[1] != 0) {
            throw new IOException("CONNECT refused with " + ack.body()[1]);
        }
        sessionPresent[0] = (ack.body()[0] & 1) != 0;
        return w;
    }

    /**
     * Connects as guest with MQTT 5, clean start, the given Session Expiry Interval and a QoS 1 will with a Will
     * Delay Interval.
     */
    static MqttWire connect5WithWill(int port, String clientId, int sessionExpiry, String willTopic,
                                     String willPayload, int willDelay) throws IOException {
        MqttWire w = new MqttWire(port);
        int flags = 0x80 | 0x40 | 0x08 | 0x04 | 0x02; // user, password, will QoS 1, will, clean start
        byte[] props = concat(new byte[] {0x11}, int32(sessionExpiry));
        byte[] header = concat(str("MQTT"), new byte[] {5, (byte) flags, 0, 60, (byte) props.length}, props);
        byte[] willProps = concat(new byte[] {0x18}, int32(willDelay));
        byte[] payload = concat(str(clientId), new byte[] {(byte) willProps.length}, willProps, str(willTopic),
                str(willPayload), str("guest"), str("guest"));
        w.send(packet(0x10, concat(header, payload)));
        Packet ack = w.expect(CONNACK, 5000);
        if (ack.body()[1] != 0) {
            throw new IOException("CONNECT refused with " + ack.body()[1]);
        }
        return w;
    }

    /** PUBLISH QoS 2 (MQTT 3.1.1 layout). */
    void publishQos2(String topic, int packetId, boolean dup, byte[] payload) throws IOException {
        send(packet(0x34 | (dup ? 0x08 : 0), concat(str(topic), id(packetId), payload)));
    }

    void subscribe(String filter, int qos) throws IOException {
        send(packet(0x82, concat(id(1), str(filter), new byte[] {(byte) qos})));
        Packet ack = expect(SUBACK, 5000);
        if ((ack.body()[2] & 0xFF) >= 0x80) {
            throw new IOException("SUBSCRIBE refused");
        }
    }

    void pubrel(int packetId) throws IOException {
        send(packet(0x62, id(packetId)));
    }

    void pubrec(int packetId) throws IOException {
        send(packet(0x50, id(packetId)));
    }

    void pubcomp(int packetId) throws IOException {
        send(packet(0x70, id(packetId)));
    }

    void disconnect() throws IOException {
        send(new byte[] {(byte) 0xE0, 0});
    }

    /** The next packet, which must be of {@code type}. */
    Packet expect(int type, int timeoutMs) throws IOException {
        Packet p = read(timeoutMs);
        if (p == null) {
            throw new IOException("no packet of type " + type + " within " + timeoutMs + " ms");
        }
        if (p.type() != type) {
            throw new IOException("expected packet type " + type + ", got " + p.type());
        }
        return p;
    }

    /** The next packet, or null when none arrives within the timeout. */
    Packet read(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        int b1;
        try {
            b1 = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (b1 < 0) {
            throw new IOException("connection closed by the broker");
        }
        int len = 0;
        int mult = 1;
        int d;
        do {
            d = readByte();
            len += (d & 0x7F) * mult;
            mult *= 128;
        } while ((d & 0x80) != 0);
        byte[] body = new byte[len];
        for (int i = 0; i < len; i++) {
            body[i] = (byte) readByte();
        }
        return new Packet(b1, body);
    }

    /** The topic and payload of a PUBLISH packet read back (QoS > 0: a packet id follows the topic). */
    static String publishPayload(Packet p) {
        int topicLen = ((p.body()[0] & 0xFF) << 8) | (p.body()[1] & 0xFF);
        int qos = (p.header() >> 1) & 3;
        int start = 2 + topicLen + (qos > 0 ? 2 : 0);
        return new String(p.body(), start, p.body().length - start, StandardCharsets.UTF_8);
    }

    /** The packet id of a QoS > 0 PUBLISH packet read back. */
    static int publishPacketId(Packet p) {
        int topicLen = ((p.body()[0] & 0xFF) << 8) | (p.body()[1] & 0xFF);
        return ((p.body()[2 + topicLen] & 0xFF) << 8) | (p.body()[3 + topicLen] & 0xFF);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection closed by the broker mid-packet");
        }
        return b;
    }

    private void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(firstByte);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            b.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        b.writeBytes(body);
        return b.toByteArray();
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    private static byte[] id(int packetId) {
        return new byte[] {(byte) (packetId >> 8), (byte) packetId};
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
