package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.BrokerConfig;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * QoS 0 to a connected subscriber that keeps reading, but more slowly than its publisher writes, loses nothing:
 * before the subscriber's queue reaches {@code mqtt.max_queued_messages} (10,000 here) the broker stops reading the
 * publisher's socket, and TCP slows the publisher [MQTT-4.5.0-1: a matching message is added to the session].
 * Dropping stays the rule for a subscriber that is offline or stopped reading. Raw sockets on both sides: the
 * subscriber's small receive buffer and its paced reads are what make it slow, and no client library buffers.
 */
class MqttQos0HoldTest {
    private static final int MESSAGES = 40_000;
    private static final int PAYLOAD = 512;

    /**
     * Room for what the broker has taken before its publisher stops (a socket read of 64 KiB is about 120 of these
     * messages, and a queue's mailbox holds up to 2000 before its publishers pause anyway): the hold starts at half.
     */
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass(BrokerConfig.standard().withMqtt("""
              allow_anonymous: false
              max_queued_messages: 10000
            """));

    @Test
    void aReadingSubscriberSlowerThanItsPublisherGetsEveryQos0Message_MQTT_4_5_0_1() throws Exception {
        String topic = "hold/" + id("t");
        try (Socket sub = socket(4096); Socket pub = socket(0)) {
            connect(sub, id("holdsub"));
            send(sub, packet(0x82, concat(new byte[] {0, 1}, str(topic), new byte[] {0}))); // SUBSCRIBE QoS 0
            DataInputStream in = new DataInputStream(new BufferedInputStream(sub.getInputStream(), 4096));
            assertThat(readPacket(in)[0] & 0xF0).isEqualTo(0x90); // SUBACK
            connect(pub, id("holdpub"));
            CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = pub.getOutputStream();
                    for (int i = 0; i < MESSAGES; i++) {
                        byte[] body = new byte[PAYLOAD];
                        ByteBuffer.wrap(body).putInt(i);
                        out.write(packet(0x30, concat(str(topic), body))); // PUBLISH QoS 0, open loop
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            int expected = 0;
            long bytes = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (expected < MESSAGES && System.nanoTime() < deadline) {
                byte[] p = readPacket(in);
                assertThat(p[0] & 0xF0).isEqualTo(0x30);
                int topicLength = ((p[1] & 0xFF) << 8) | (p[2] & 0xFF);
                int seq = ByteBuffer.wrap(p, 3 + topicLength, 4).getInt();
                assertThat(seq).as("the next message, none dropped").isEqualTo(expected);
                expected++;
                bytes += p.length;
                if (bytes > 32_768) { // about 3 MB/s: slower than the publisher, never stopped
                    bytes = 0;
                    Thread.sleep(10);
                }
            }
            assertThat(expected).isEqualTo(MESSAGES);
            published.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A subscriber that stopped reading does not hold its publisher for long: once it has taken nothing for a
     * second, the publisher is read again and the queue drops from the head past {@code max_queued_messages}, as for
     * an offline session; the drops are counted ({@code junction.mqtt.dropped}, reason {@code queue_full}).
     */
    @Test
    void aSubscriberThatStopsReadingDoesNotHoldItsPublisher() throws Exception {
        String topic = "hold/" + id("stuck");
        double droppedBefore = dropped();
        try (Socket sub = socket(4096); Socket pub = socket(0)) {
            connect(sub, id("stucksub"));
            send(sub, packet(0x82, concat(new byte[] {0, 1}, str(topic), new byte[] {0})));
            assertThat(readPacket(new DataInputStream(sub.getInputStream()))[0] & 0xF0).isEqualTo(0x90);
            connect(pub, id("stuckpub"));
            OutputStream out = pub.getOutputStream();
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) { // the subscriber never reads again
                out.write(packet(0x30, concat(str(topic), new byte[PAYLOAD])));
            }
            out.flush();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("publisher held").isLessThan(60);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (dropped() == droppedBefore && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(dropped()).isGreaterThan(droppedBefore);
        }
    }

    private static double dropped() {
        return mqtt.broker().registry().get("junction.mqtt.dropped").tag("reason", "queue_full").counter().count();
    }

    private static Socket socket(int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
        }
        s.connect(new InetSocketAddress("127.0.0.1", mqtt.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** CONNECT, MQTT 3.1.1, clean session, no keep alive, guest/guest; waits for the CONNACK. */
    private static void connect(Socket s, String clientId) throws IOException {
        byte[] header = concat(str("MQTT"), new byte[] {4, (byte) 0xC2, 0, 0});
        send(s, packet(0x10, concat(header, str(clientId), str("guest"), str("guest"))));
        byte[] ack = readPacket(new DataInputStream(s.getInputStream()));
        assertThat(ack[0] & 0xFF).isEqualTo(0x20);
        assertThat(ack[2]).isZero();
    }

    private static void send(Socket s, byte[] bytes) throws IOException {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    /** The fixed header's first byte, then the packet's remaining bytes. */
    private static byte[] readPacket(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] p = new byte[length + 1];
        p[0] = (byte) first;
        in.readFully(p, 1, length);
        return p;
    }

    private static byte[] packet(int first, byte[] body) {
        return concat(new byte[] {(byte) first}, remainingLength(body.length), body);
    }

    private static byte[] remainingLength(int n) {
        byte[] out = new byte[4];
        int i = 0;
        do {
            int digit = n % 128;
            n /= 128;
            out[i++] = (byte) (n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        return java.util.Arrays.copyOf(out, i);
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
