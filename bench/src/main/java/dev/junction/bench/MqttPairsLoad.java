package dev.junction.bench;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MQTT load: N publisher/subscriber pairs, each pair on its own topic, publishing as fast as a bounded number of
 * unacknowledged publishes allows, for a fixed time. Prints messages received per second over all pairs, and, once
 * the deliveries still on their way have arrived, how many sent messages never did ({@code lost}). Runs
 * against any MQTT 3.1.1 broker, so Junction and Mosquitto are measured by the same client.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.junction.bench.MqttPairsLoad HOST PORT PAIRS QOS SECONDS [SIZE [USER PASSWORD]]</pre>
 *
 * <p>Every client logs in as USER (default guest/guest), so a run as a user with an ACL measures the ACL's cost.
 * With {@code -Dbench.tls.ca=ca.pem} the clients connect over TLS (mqtts), trusting the CA certificates in that file.
 * With {@code -Dbench.publisherPort=P} the publishers connect to port P instead (another node of a cluster: the
 * subscribers then get what other nodes publish).
 */
public final class MqttPairsLoad {
    /** {@code -Dbench.publisherPort}: the publishers' port, when not the subscribers'. */
    private static final java.util.OptionalInt PUBLISHER_PORT = Integer.getInteger("bench.publisherPort") == null
            ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.getInteger("bench.publisherPort"));
    private static String user;
    private static String password;

    private MqttPairsLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int pairs = Integer.parseInt(args[2]);
        MqttQos qos = MqttQos.fromCode(Integer.parseInt(args[3]));
        int seconds = Integer.parseInt(args[4]);
        int size = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        user = args.length > 7 ? args[6] : "guest";
        password = args.length > 7 ? args[7] : "guest";
        AtomicLong received = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        List<Mqtt3AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Mqtt3AsyncClient sub = client(host, port, "bench-sub-" + i);
            sub.publishes(MqttGlobalPublishFilter.ALL, p -> received.incrementAndGet());
            sub.subscribeWith().topicFilter("bench/pair/" + i).qos(qos).send().get(10, TimeUnit.SECONDS);
            clients.add(sub);
        }
        List<Thread> publishers = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        byte[] payload = new byte[size];
        for (int i = 0; i < pairs; i++) {
            Mqtt3AsyncClient pub = client(host, PUBLISHER_PORT.orElse(port), "bench-pub-" + i);
            clients.add(pub);
            String topic = "bench/pair/" + i;
            Thread t = new Thread(() -> {
                // Bound what is in flight so QoS 0 cannot outrun the socket and QoS 1 uses a window like devices do.
                Semaphore window = new Semaphore(qos == MqttQos.AT_MOST_ONCE ? 1000 : 100);
                while (System.nanoTime() < end) {
                    window.acquireUninterruptibly();
                    CompletableFuture<?> f = pub.publishWith().topic(topic).qos(qos).payload(payload).send();
                    f.whenComplete((r, e) -> window.release());
                    sent.incrementAndGet();
                }
            }, "publisher-" + i);
            publishers.add(t);
        }
        long startReceived = received.get();
        long start = System.nanoTime();
        publishers.forEach(Thread::start);
        for (Thread t : publishers) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long got = received.get() - startReceived;
        // What was still on its way when publishing stopped: wait until nothing has arrived for 2 s (at most 30 s),
        // then what never arrived is lost (for QoS 0, dropped by the broker or never written by the client).
        long drainStart = System.nanoTime();
        long last = -1;
        while (received.get() != last && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(30)) {
            last = received.get();
            Thread.sleep(2000);
        }
        long total = received.get() - startReceived;
        System.out.printf("pairs=%d qos=%d size=%d user=%s seconds=%.1f sent=%d received=%d => %.0f msg/s received"
                + "; after the drain received=%d lost=%d%n", pairs, qos.getCode(), size, user, elapsed, sent.get(), got,
                got / elapsed, total, sent.get() - total);
        for (Mqtt3AsyncClient c : clients) {
            c.disconnect();
        }
        System.exit(0);
    }

    private static Mqtt3AsyncClient client(String host, int port, String id) throws Exception {
        var builder = Mqtt3Client.builder().identifier(id).serverHost(host).serverPort(port);
        String ca = System.getProperty("bench.tls.ca");
        if (ca != null) {
            builder = builder.sslConfig().trustManagerFactory(trusting(ca)).applySslConfig();
        }
        Mqtt3AsyncClient c = builder.buildAsync();
        c.connectWith().cleanSession(true).simpleAuth().username(user).password(password.getBytes()).applySimpleAuth()
                .send().get(10, TimeUnit.SECONDS);
        return c;
    }

    private static javax.net.ssl.TrustManagerFactory trusting(String caFile) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(caFile))) {
            int i = 0;
            for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, cert);
            }
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }
}
