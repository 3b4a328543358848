package dev.junction.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds COUNT idle MQTT 3.1.1 connections open, for measuring what an idle device costs a broker. Each connection
 * sends CONNECT (clean session, the given keep alive, user name and password) and waits for its CONNACK; with
 * SUBSCRIBE 1 it then subscribes to one filter of its own ({@code fleet/<client id>/commands}, QoS 1) and waits for
 * the SUBACK. Then it is idle: every keep-alive / 2 seconds each connection sends PINGREQ and whatever the broker
 * sent is read and discarded, so the broker sees a live, silent device.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.junction.bench.MqttIdleFleet HOST PORT COUNT FIRST SUBSCRIBE
 *      KEEPALIVE SOURCES SECONDS [USER PASSWORD]</pre>
 *
 * FIRST numbers the client ids ({@code idle-FIRST} onwards), so several processes can share one broker. SOURCES is
 * a comma-separated list of local addresses (127.0.0.2,127.0.0.3) the connections are spread over, so that many
 * connections to one port do not run out of ephemeral ports. Prints {@code ready N} once all are connected, then
 * holds them for SECONDS (0: until killed). Uses plain blocking sockets for the handshake and no thread per
 * connection: only the raw bytes of four packet types are needed, and no client library is measured.
 */
public final class MqttIdleFleet {
    private static final byte CONNECT = 0x10;
    private static final byte CONNACK = 0x20;
    private static final byte SUBSCRIBE = (byte) 0x82; // type 8, flags 0010 [MQTT-3.8.1-1]
    private static final byte SUBACK = (byte) 0x90;
    private static final byte[] PINGREQ = {(byte) 0xC0, 0x00};

    private MqttIdleFleet() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int first = Integer.parseInt(args[3]);
        boolean subscribe = Integer.parseInt(args[4]) != 0;
        int keepAlive = Integer.parseInt(args[5]);
        String[] sources = args[6].split(",");
        long seconds = Long.parseLong(args[7]);
        String user = args.length > 9 ? args[8] : "guest";
        String password = args.length > 9 ? args[9] : "guest";

        List<SocketChannel> open = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String clientId = "idle-" + (first + i);
            SocketChannel ch = SocketChannel.open();
            ch.bind(new InetSocketAddress(sources[i % sources.length], 0));
            ch.connect(new InetSocketAddress(host, port));
            ch.socket().setTcpNoDelay(true);
            write(ch, connect(clientId, keepAlive, user, password));
            byte[] ack = read(ch, 4);
            if (ack[0] != CONNACK || ack[3] != 0) {
                throw new IOException(clientId + ": CONNACK refused, return code " + ack[3]);
            }
            if (subscribe) {
                write(ch, subscribe("fleet/" + clientId + "/commands", 1));
                byte[] subAck = read(ch, 5);
                if (subAck[0] != SUBACK || (subAck[4] & 0x80) != 0) {
                    throw new IOException(clientId + ": SUBACK refused");
                }
            }
            ch.configureBlocking(false);
            open.add(ch);
            if ((i + 1) % 1000 == 0) {
                System.err.printf("  %d connected%n", i + 1);
            }
        }
        System.out.printf("ready %d in %.1f s%n", open.size(), (System.nanoTime() - start) / 1e9);
        System.out.flush();

        long end = seconds == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + seconds * 1000;
        long interval = keepAlive == 0 ? 30_000 : keepAlive * 500L;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        int lost = 0;
        while (System.currentTimeMillis() < end) {
            Thread.sleep(Math.min(interval, Math.max(1, end - System.currentTimeMillis())));
            for (SocketChannel ch : open) {
                if (!ch.isOpen()) {
                    continue;
                }
                try {
                    while (true) {
                        sink.clear();
                        int n = ch.read(sink);
                        if (n < 0) {
                            throw new EOFException();
                        }
                        if (n == 0) {
                            break;
                        }
                    }
                    if (keepAlive > 0) {
                        ch.write(ByteBuffer.wrap(PINGREQ));
                    }
                } catch (IOException e) {
                    lost++;
                    ch.close();
                }
            }
            if (lost > 0) {
                System.err.printf("  %d connections closed by the broker%n", lost);
            }
        }
        for (SocketChannel ch : open) {
            ch.close();
        }
    }

    /** CONNECT, MQTT 3.1.1: clean session, user name and password (section 3.1). */
    static byte[] connect(String clientId, int keepAlive, String user, String password) {
        ByteBuffer vh = ByteBuffer.allocate(512);
        putString(vh, "MQTT");
        vh.put((byte) 4); // protocol level 3.1.1
        vh.put((byte) (0x80 | 0x40 | 0x02)); // user name, password, clean session
        vh.putShort((short) keepAlive);
        putString(vh, clientId);
        putString(vh, user);
        putString(vh, password);
        return packet(CONNECT, vh);
    }

    static byte[] subscribe(String filter, int qos) {
        ByteBuffer vh = ByteBuffer.allocate(512);
        vh.putShort((short) 1);
        putString(vh, filter);
        vh.put((byte) qos);
        return packet(SUBSCRIBE, vh);
    }

    private static byte[] packet(byte type, ByteBuffer body) {
        body.flip();
        int len = body.remaining();
        ByteBuffer p = ByteBuffer.allocate(len + 5);
        p.put(type);
        int x = len;
        do { // Remaining Length, variable byte integer (section 2.2.3)
            int b = x % 128;
            x /= 128;
            p.put((byte) (x > 0 ? b | 0x80 : b));
        } while (x > 0);
        p.put(body);
        byte[] out = new byte[p.position()];
        p.flip().get(out);
        return out;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length);
        b.put(bytes);
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("closed by the broker");
            }
        }
        return b.array();
    }
}
