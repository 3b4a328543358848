package dev.junction.bench.fleet;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Latency at a fixed rate, MQTT 1:1: one publisher sends {@code size}-byte messages at {@code rate} per second to one
 * topic with {@code qos}, one subscriber takes them with the same QoS. The first {@code warmup} seconds are sent but
 * not measured; then {@code seconds} are, and one {@code step} line gives counts, loss and the end-to-end latency
 * (from the time each message was due) p50 / p99 / p99.9.
 *
 * <p>The publisher keeps at most {@code window} publishes unacknowledged, as a device does: an MQTT 3.1.1 broker may
 * bound what it takes in flight (Junction closes a client past 100), and a stalled window shows as latency, since
 * every message is timed from when it was due.
 *
 * <pre>java -cp benchmarks.jar dev.junction.bench.fleet.MqttRateLatency mqtt=HOST:PORT [rate=10000] [qos=1]
 *      [seconds=30] [warmup=5] [size=64]</pre>
 */
public final class MqttRateLatency {
    private MqttRateLatency() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Args.Endpoint mqtt = a.endpoint("mqtt", "127.0.0.1:1883");
        String user = a.string("user", "guest");
        String password = a.string("password", "guest");
        int rate = a.integer("rate", 10_000);
        MqttQos qos = MqttQos.fromCode(a.integer("qos", 1));
        int seconds = a.integer("seconds", 30);
        int warmup = a.integer("warmup", 5);
        int size = a.integer("size", 64);
        String topic = a.string("topic", "bench/latency/1");
        int windowSize = a.integer("window", 100);
        a.checkAllUsed();
        System.out.println("# MqttRateLatency " + a.describe());

        DeliveryLog log = new DeliveryLog();
        Mqtt3AsyncClient sub = connect(mqtt, "latency-sub", user, password);
        sub.publishes(MqttGlobalPublishFilter.ALL, p -> {
            byte[] body = p.getPayloadAsBytes();
            log.arrived(Stamp.seq(body), Stamp.micros(body));
        });
        sub.subscribeWith().topicFilter(topic).qos(qos).send().get(10, TimeUnit.SECONDS);
        Mqtt3AsyncClient pub = connect(mqtt, "latency-pub", user, password);

        long warm = (long) rate * warmup;
        long count = (long) rate * seconds;
        log.begin(warm, count);
        Semaphore window = new Semaphore(windowSize);
        double elapsed = Pacer.run(0, warm + count, rate, (seq, due) -> {
            if (seq >= warm) {
                log.sent();
            }
            window.acquireUninterruptibly();
            pub.publishWith().topic(topic).qos(qos).payload(Stamp.payload(seq, due, size)).send()
                    .whenComplete((r, e) -> {
                        window.release();
                        if (e == null) {
                            log.acked(seq);
                        } else {
                            log.failed(seq);
                        }
                    });
        });
        double waited = log.awaitSettled(10, 60);
        DeliveryLog.Summary s = log.summary();
        System.out.printf("step kind=latency qos=%d rate=%d seconds=%d achieved=%.0f drain_s=%.1f %s%n",
                qos.getCode(), rate, seconds, (warm + count) / elapsed, waited, s.format());
        pub.disconnect().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        sub.disconnect().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static Mqtt3AsyncClient connect(Args.Endpoint broker, String id, String user, String password)
            throws Exception {
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(id).serverHost(broker.host()).serverPort(broker.port())
                .buildAsync();
        c.connectWith().cleanSession(true).simpleAuth().username(user).password(password.getBytes())
                .applySimpleAuth().send().get(30, TimeUnit.SECONDS);
        return c;
    }
}
