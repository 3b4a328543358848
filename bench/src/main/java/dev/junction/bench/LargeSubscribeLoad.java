package dev.junction.bench;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of one MQTT SUBSCRIBE with many filters, and what it does to other clients: for each size, a raw-socket
 * client sends one SUBSCRIBE with that many filters and times the SUBACK, while a publisher whose connection shares
 * the big subscriber's event loop publishes QoS 1 messages to a subscriber every 5 ms; prints the SUBACK time and the
 * longest publish-to-delivery time seen meanwhile. Linear cost shows as SUBACK time proportional to the size; other
 * clients not waiting shows as a delivery time far below the SUBACK time.
 *
 * <p>The broker must allow the sizes: {@code limits.max_filters_per_subscribe}, {@code max_subscriptions_per_session}
 * and {@code vhost_defaults.max_bindings} at 0 (unlimited) or above the largest size. Connections are assigned to the
 * broker's event loops in turn; {@code LOOPS} (2 x the broker's cores by default) idle connections between the
 * publisher and the big subscriber put both on one event loop when nothing else connects meanwhile.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.junction.bench.LargeSubscribeLoad HOST PORT USER PASSWORD LOOPS SIZE...</pre>
 */
public final class LargeSubscribeLoad {
    private LargeSubscribeLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String user = args[2];
        String password = args[3];
        int loops = Integer.parseInt(args[4]);
        for (int a = 5; a < args.length; a++) {
            System.out.println(run(host, port, user, password, loops, Integer.parseInt(args[a])));
        }
        System.exit(0);
    }

    /** One measurement; returns its line. */
    public static String run(String host, int port, String user, String password, int loops, int filters)
            throws Exception {
        String topic = "bench/ping/" + filters;
        Mqtt3AsyncClient pub = client(host, port, user, password, "bench-pub-" + filters);
        Mqtt3AsyncClient rcv = client(host, port, user, password, "bench-rcv-" + filters);
        AtomicLong worst = new AtomicLong();
        AtomicLong received = new AtomicLong();
        rcv.publishes(MqttGlobalPublishFilter.ALL, p -> {
            long sentAt = Long.parseLong(new String(p.getPayloadAsBytes(), StandardCharsets.US_ASCII));
            worst.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
            received.incrementAndGet();
        });
        rcv.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        Mqtt3AsyncClient[] idle = new Mqtt3AsyncClient[Math.max(0, loops - 2)];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = client(host, port, user, password, "bench-idle-" + filters + "-" + i);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            while (!stop.get()) {
                try {
                    pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(Long.toString(System.nanoTime()).getBytes(StandardCharsets.US_ASCII)).send();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-publisher");
        long took;
        try (Socket big = new Socket(host, port)) {
            big.setTcpNoDelay(true);
            OutputStream out = big.getOutputStream();
            DataInputStream in = new DataInputStream(big.getInputStream());
            out.write(packet(0x10, concat(str("MQTT"), new byte[] {4, (byte) 0xC2, 0, 60},
                    str("bench-big-" + filters), str(user), str(password))));
            byte[] connack = readPacket(in);
            if (connack[connack.length - 1] != 0) {
                throw new IOException("CONNACK refused: " + connack[connack.length - 1]);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(new byte[] {0, 1});
            for (int i = 0; i < filters; i++) {
                body.write(str("fleet/" + i + "/+/temp"));
                body.write(1);
            }
            byte[] subscribe = packet(0x82, body.toByteArray());
            publisher.start();
            Thread.sleep(200);
            worst.set(0);
            long start = System.nanoTime();
            out.write(subscribe);
            readPacket(in);
            took = System.nanoTime() - start;
            Thread.sleep(200);
        } finally {
            stop.set(true);
            publisher.interrupt();
            publisher.join();
        }
        for (Mqtt3AsyncClient c : idle) {
            c.disconnect();
        }
        pub.disconnect();
        rcv.disconnect();
        return String.format("filters=%d suback_ms=%d us_per_filter=%.1f worst_other_delivery_ms=%d delivered=%d",
                filters, TimeUnit.NANOSECONDS.toMillis(took), took / 1000.0 / filters,
                TimeUnit.NANOSECONDS.toMillis(worst.get()), received.get());
    }

    private static Mqtt3AsyncClient client(String host, int port, String user, String password, String id)
            throws Exception {
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(id).serverHost(host).serverPort(port).buildAsync();
        c.connectWith().cleanSession(true).simpleAuth().username(user)
                .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().get(10, TimeUnit.SECONDS);
        return c;
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A packet: first byte, Remaining Length as a variable byte integer, body. */
    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int n = body.length;
        do {
            int digit = n % 128;
            n /= 128;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] readPacket(DataInputStream in) throws IOException {
        in.readUnsignedByte();
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }
}
