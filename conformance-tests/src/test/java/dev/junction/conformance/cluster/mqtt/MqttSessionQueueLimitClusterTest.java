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
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtt.max_queued_messages} bounds a persistent session's queue in a cluster too, where that queue is a
 * quorum queue: an offline session keeps the newest messages up to the limit and the oldest leave first, as on a
 * single node (docs/interop.md, "offline queue limit": {@code x-max-length} with drop-head; RabbitMQ "Queue Length
 * Limit", overflow {@code drop-head}). The limit is applied by the queue's replicated state, so the node the
 * client resumes on hands over the same bounded queue the publishing node filled [MQTT-3.1.2-5].
 */
@Timeout(180)
class MqttSessionQueueLimitClusterTest {
    private static final int LIMIT = 5;

    @TempDir
    Path dir;
    private MqttCluster3 cluster;
    private final List<MqttClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
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
     * Subscribed with Clean Session 0 on node 1 and gone; eight QoS 1 messages confirmed on node 2; the session
     * resumed on node 3 gets the newest five, in order, and then the next message published, nothing in between.
     */
    @Test
    void anOfflineSessionsQuorumQueueKeepsTheNewestUpToMaxQueuedMessages() throws Exception {
        cluster = new MqttCluster3(dir, "mqtt:\n  max_queued_messages: " + LIMIT + "\n");
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
        assertThat(received).as("the newest %d queued while offline, then the live one", LIMIT)
                .containsExactly("m3", "m4", "m5", "m6", "m7", "after0");
    }
}
