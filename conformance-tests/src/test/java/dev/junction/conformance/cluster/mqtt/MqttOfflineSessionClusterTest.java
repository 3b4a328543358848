package dev.junction.conformance.cluster.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a persistent MQTT session's queue limit and will do in a cluster of three brokers (one JVM), with the stock
 * Paho 3.1.1 and HiveMQ MQTT 5 clients: the length limit of an offline session, the publisher hold for a connected
 * one that reads slowly, and the delayed will once the client has resumed the session on another node. One cluster
 * for the class: no test stops a node.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttOfflineSessionClusterTest {
    /** {@code mqtt.max_queued_messages}: room for what a publisher sends before its hold takes effect. */
    private static final int LIMIT = 100;

    @TempDir
    static Path dir;
    private MqttCluster3 cluster;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<Mqtt5BlockingClient> clients5 = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new MqttCluster3(dir, "mqtt:\n  max_queued_messages: " + LIMIT + "\n");
    }

    @AfterAll
    void stop() {
        for (Mqtt5BlockingClient c : clients5) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException ignored) {
                // gone already
            }
        }
        for (MqttClient c : clients) {
            try {
                c.disconnectForcibly(100, 100);
            } catch (Exception ignored) {
                // already disconnected
            }
            try {
                c.close(true);
            } catch (Exception ignored) {
                // closed
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private MqttClient client(String node, String id, BlockingQueue<String> got) throws Exception {
        MqttClient c = cluster.mqtt(node, id);
        clients.add(c);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        return c;
    }

    private void publish(String node, String prefix, int count) throws Exception {
        try (Connection conn = cluster.amqp(node); Channel ch = conn.createChannel()) {
            ch.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("amq.topic", "sensors.limit", persistent, (prefix + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    /**
     * {@code mqtt.max_queued_messages} bounds a persistent session's queue in a cluster too, where that queue is a
     * quorum queue: an offline session keeps the newest messages up to the limit, the oldest leave first, as on a
     * single node (docs/interop.md, "offline queue limit": {@code x-max-length} with drop-head; RabbitMQ "Queue
     * Length Limit", overflow {@code drop-head}). Subscribed with Clean Session 0 on node 1 and gone; the limit and
     * three more QoS 1 messages confirmed on node 2; the session resumed on node 3 [MQTT-3.1.2-5] gets the newest
     * {@code LIMIT}, in order, and then the next message published, nothing in between.
     */
    @Test
    void anOfflineSessionsQuorumQueueKeepsTheNewestUpToMaxQueuedMessages() throws Exception {
        MqttClient first = client("n1", "dev-limit", new LinkedBlockingQueue<>());
        assertThat(first.connectWithResult(MqttCluster3.options(false)).getSessionPresent()).isFalse();
        first.subscribe("sensors/limit", 1);
        first.disconnect();
        cluster.awaitQueue("n2", "mqtt.session.dev-limit", true);

        publish("n2", "m", LIMIT + 3);

        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient resumed = client("n3", "dev-limit", got);
        assertThat(resumed.connectWithResult(MqttCluster3.options(false)).getSessionPresent())
                .as("Session Present on another node [MQTT-3.2.2-2]").isTrue();
        publish("n3", "after", 1);
        List<String> received = new ArrayList<>();
        while (received.isEmpty() || !received.get(received.size() - 1).equals("after0")) {
            String body = got.poll(60, TimeUnit.SECONDS);
            assertThat(body).as("a PUBLISH within 60 s after %s", received).isNotNull();
            received.add(body);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 3; i < LIMIT + 3; i++) {
            expected.add("m" + i);
        }
        expected.add("after0");
        assertThat(received).as("the newest %d queued while offline, then the live one", LIMIT)
                .containsExactlyElementsOf(expected);
    }

    /**
     * QoS 0 to a connected persistent session that keeps reading, more slowly than its publisher on another node
     * writes, loses nothing to {@code max_queued_messages}, as on a single node ({@code MqttQos0HoldTest}): the
     * session's quorum queue holds that publisher's node from half the limit [MQTT-4.5.0-1: a matching message is
     * added to the session], and the subscriber's own node keeps no more than its in-flight window of deliveries
     * for the slow socket, the rest waiting in the replicated queue. Failed before: with no hold the queue dropped
     * from the head past the limit (message 459 was followed by 607).
     */
    @Test
    void aReadingPersistentSubscriberSlowerThanItsPublisherOnAnotherNodeGetsEveryQos0Message() throws Exception {
        int messages = 1_500;
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient sub = cluster.mqtt("n1", "dev-slow");
        clients.add(sub);
        sub.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) throws InterruptedException {
                got.add(new String(m.getPayload(), 0, 8, StandardCharsets.US_ASCII));
                Thread.sleep(1); // a device that reads, slower than the publisher writes
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        sub.connect(MqttCluster3.options(false));
        sub.subscribe("telemetry/slow", 0);
        cluster.awaitQueue("n2", "mqtt.session.dev-slow", true);

        MqttClient pub = cluster.mqtt("n2", "dev-fast");
        clients.add(pub);
        pub.connect(MqttCluster3.options(true));
        byte[] payload = new byte[4096];
        for (int i = 0; i < messages; i++) {
            System.arraycopy(String.format("%08d", i).getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 8);
            pub.publish("telemetry/slow", payload, 0, false); // QoS 0, as fast as the socket takes them
        }
        List<String> received = new ArrayList<>();
        while (received.size() < messages) {
            String seq = got.poll(60, TimeUnit.SECONDS);
            assertThat(seq).as("message %d within 60 s", received.size()).isNotNull();
            assertThat(seq).as("the next message, none dropped").isEqualTo(String.format("%08d", received.size()));
            received.add(seq);
        }
    }

    /** A HiveMQ MQTT 5 client of {@code node}, as guest. */
    private Mqtt5BlockingClient client5(String node, String id) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(cluster.broker(node).address("mqtt").getPort())
                .simpleAuth().username("guest").password(StandardCharsets.UTF_8.encode("guest")).applySimpleAuth()
                .buildBlocking();
        clients5.add(c);
        return c;
    }

    /**
     * [MQTT-3.1.3-9]: "If a new Network Connection to this Session is made before the Will Delay Interval has
     * passed, the Server MUST NOT send the Will Message", on whichever node it is made. The client leaves node 1
     * with a subscription and a will delayed by 3 s and resumes its session on node 2 at once; node 1 sends nothing: a watcher on node 1
     * subscribed to the will's topic gets, well after the delay, the next message published there and not the will.
     */
    @Test
    void aDelayedWillIsNotSentByTheNodeLeftWhenTheSessionResumedOnAnother() throws Exception {
        Mqtt5BlockingClient watcher = client5("n1", "will-watcher");
        watcher.connectWith().cleanStart(true).send();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5BlockingClient device = client5("n1", "dev-will");
            device.connectWith().cleanStart(false).sessionExpiryInterval(600)
                    .willPublish().topic("wills/dev-will").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("will".getBytes(StandardCharsets.UTF_8)).delayInterval(3).applyWillPublish()
                    .send();
            device.subscribeWith().topicFilter("commands/dev-will").qos(MqttQos.AT_LEAST_ONCE).send();
            cluster.awaitQueue("n2", "mqtt.session.dev-will", true); // a session with a subscription is replicated
            long left = System.nanoTime();
            device.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

            Mqtt5BlockingClient resumed = client5("n2", "dev-will");
            assertThat(resumed.connectWith().cleanStart(false).sessionExpiryInterval(600).send()
                    .isSessionPresent()).as("the session made on node 1 resumed on node 2").isTrue();

            // Give node 1's will timer twice its delay to fire, were it still armed; then a message of our own.
            long waitNanos = TimeUnit.SECONDS.toNanos(6) - (System.nanoTime() - left);
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
            Mqtt5BlockingClient marker = client5("n1", "will-marker");
            marker.connectWith().cleanStart(true).send();
            marker.publishWith().topic("wills/marker").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish first = in.receive(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(first.getTopic().toString()).as("the will was not sent [MQTT-3.1.3-9]")
                    .isEqualTo("wills/marker");
        }
    }
}
