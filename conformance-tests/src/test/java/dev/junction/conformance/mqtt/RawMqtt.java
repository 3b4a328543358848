package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A hand-written MQTT client over a plain socket, for what stock clients refuse to send. */
final class RawMqtt implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    RawMqtt(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
    }

    static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 2];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** CONNECT; {@code level} 4 = 3.1.1, 5 = MQTT 5 (with an empty property section). */
    byte[] connectPacket(int level, String clientId, int flags, int keepAlive, byte[] willAndAfter) {
        byte[] header = concat(str("MQTT"), new byte[] {(byte) level, (byte) flags, (byte) (keepAlive >> 8),
                (byte) keepAlive}, level == 5 ? new byte[] {0} : new byte[0]);
        return packet(0x10, concat(header, str(clientId), willAndAfter));
    }

    int[] connect(int level, String clientId, int flags, int keepAlive, byte[] willAndAfter) throws IOException {
        send(connectPacket(level, clientId, flags | 0xC0, keepAlive,
                concat(willAndAfter, str("guest"), str("guest"))));
        int[] ack = readPacket(5000);
        if (ack == null || ack[0] != 0x20 || ack[2] != 0) {
            throw new IOException("connection refused");
        }
        return ack;
    }

    void connect3(String clientId, int keepAlive) throws IOException {
        connect(4, clientId, 0x02, keepAlive, new byte[0]);
    }

    void connect3Persistent(String clientId) throws IOException {
        connect(4, clientId, 0x00, 60, new byte[0]);
    }

    void connect5(String clientId) throws IOException {
        connect(5, clientId, 0x02, 60, new byte[0]);
    }

    void connect3WithWill(String clientId, String willTopic, String willMessage) throws IOException {
        connect(4, clientId, 0x02 | 0x04 | 0x08, 60, concat(str(willTopic), str(willMessage)));
    }

    void subscribe(String filter, int qos) throws IOException {
        send(packet(0x82, concat(new byte[] {0, 1}, str(filter), new byte[] {(byte) qos})));
        int[] ack = readPacket(5000);
        if (ack == null || ack[0] != 0x90) {
            throw new IOException("no SUBACK");
        }
    }

    java.io.OutputStream output() throws IOException {
        return socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** The next packet as unsigned ints: first byte, then the rest after the remaining length; null on EOF. */
    int[] readPacket(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        int b1 = in.read();
        if (b1 < 0) {
            return null;
        }
        int len = 0;
        int mult = 1;
        int d;
        do {
            d = in.read();
            if (d < 0) {
                return null;
            }
            len += (d & 0x7F) * mult;
            mult *= 128;
        } while ((d & 0x80) != 0);
        int[] out = new int[len + 1];
        out[0] = b1;
        for (int i = 1; i <= len; i++) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            out[i] = b;
        }
        return out;
    }

    /** Reads (skipping packets) until the server closes; false if it is still open after the timeout. */
    /** MQTT 5: the next packet is DISCONNECT with {@code reason}, then the socket closes [MQTT-4.13.1-1]. */
    void expectDisconnect(int reason) throws IOException {
        int[] p = readPacket(5000);
        assertThat(p).as("a DISCONNECT before the close").isNotNull();
        assertThat(p[0]).isEqualTo(0xE0);
        assertThat(p[1]).isEqualTo(reason);
        assertThat(readUntilClosed(5000)).isTrue();
    }

    boolean readUntilClosed(int timeoutMs) throws IOException {
        long end = System.currentTimeMillis() + timeoutMs;
        try {
            while (System.currentTimeMillis() < end) {
                socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
