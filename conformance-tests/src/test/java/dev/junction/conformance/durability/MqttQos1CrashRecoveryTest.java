package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.junction.conformance.BrokerProcess;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PUBACK for a QoS 1 PUBLISH means the message is on disk for every persistent session it matched: a 3.1.1
 * subscriber with clean session 0 subscribes and goes away, a publisher streams numbered QoS 1 messages, the broker
 * is SIGKILLed mid-stream and restarted, and the subscriber, reconnecting with its client id (without subscribing
 * again), receives every PUBACKed message. Repeated three times on the same data directory.
 */
class MqttQos1CrashRecoveryTest {
    private static final int ROUNDS = 3;
    private static final int ACKED_BEFORE_KILL = 1000;
    private static final String TOPIC = "crash/qos1";
    private static final String SUBSCRIBER = "qos1-crash-sub";

    @TempDir
    Path dir;

    @Test
    void everyPubackedMessageReachesThePersistentSessionAfterRepeatedSigkill() throws Exception {
        Path data = dir.resolve("data");
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Map<Long, Integer> seen = new ConcurrentHashMap<>();
        Set<Long> unflaggedDuplicates = ConcurrentHashMap.newKeySet();
        BrokerProcess broker = BrokerProcess.start(data, "");
        try {
            org.eclipse.paho.client.mqttv3.MqttClient sub = subscriber(broker.port("mqtt"));
            sub.connect(options());
            sub.subscribe(TOPIC, 1);
            sub.disconnect(5000);
            sub.close();
            long next = 0;
            for (int round = 0; round < ROUNDS; round++) {
                next = publishUntilKilled(broker, round, next, acked);
                broker = BrokerProcess.start(data, "");
                drain(broker.port("mqtt"), acked, seen, unflaggedDuplicates);
                assertThat(seen.keySet()).as("round %d: PUBACKed but not delivered after SIGKILL", round)
                        .containsAll(acked);
            }
            assertThat(acked).hasSizeGreaterThanOrEqualTo(ROUNDS * ACKED_BEFORE_KILL);
            assertThat(unflaggedDuplicates).as("messages delivered twice without DUP").isEmpty();
        } finally {
            broker.close();
        }
    }

    /** Publishes numbered QoS 1 messages, SIGKILLs the broker once enough were PUBACKed; returns the next n. */
    private static long publishUntilKilled(BrokerProcess broker, int round, long first, Set<Long> acked)
            throws Exception {
        Mqtt5AsyncClient pub = MqttClient.builder().useMqttVersion5().identifier("qos1-crash-pub-" + round)
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildAsync();
        pub.connectWith().cleanStart(true).simpleAuth().username("guest")
                .password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()
                .get(10, TimeUnit.SECONDS);
        Semaphore window = new Semaphore(300);
        int before = acked.size();
        long n = first;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (acked.size() - before >= ACKED_BEFORE_KILL) {
                broker.kill(); // mid-stream: PUBLISHes and PUBACKs are still in flight
                break;
            }
            if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long mine = n++;
            pub.publishWith().topic(TOPIC).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(ByteBuffer.allocate(8).putLong(mine).array()).send()
                    .whenComplete((result, error) -> {
                        if (error == null && result.getError().isEmpty()) {
                            acked.add(mine);
                        }
                        window.release();
                    });
        }
        assertThat(acked.size() - before).as("PUBACKs before the kill in round %d", round)
                .isGreaterThanOrEqualTo(ACKED_BEFORE_KILL);
        pub.disconnect(); // the connection is already gone; this only stops the client
        return n;
    }

    /** Reconnects the subscriber's session and takes messages until every PUBACKed one arrived (or 20 s passed). */
    private static void drain(int port, Set<Long> acked, Map<Long, Integer> seen, Set<Long> unflaggedDuplicates)
            throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient sub = subscriber(port);
        sub.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                long n = ByteBuffer.wrap(message.getPayload()).getLong();
                if (seen.merge(n, 1, Integer::sum) > 1 && !message.isDuplicate()) {
                    unflaggedDuplicates.add(n);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        IMqttToken token = sub.connectWithResult(options());
        assertThat(token.getSessionPresent()).as("the session survived the restart").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!seen.keySet().containsAll(acked) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        sub.disconnect(5000);
        sub.close();
    }

    private static org.eclipse.paho.client.mqttv3.MqttClient subscriber(int port) throws Exception {
        return new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + port, SUBSCRIBER,
                new MemoryPersistence());
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        return o;
    }
}
