package dev.junction.conformance.cluster.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.cluster.mqtt.RawMqtt311.Packet;
import dev.junction.conformance.cluster.mqtt.RawMqtt311.Type;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QoS 2 exchange of a persistent MQTT 3.1.1 session that resumes on another node of a cluster of three brokers
 * (one JVM). The exchanging client is written by hand ({@link RawMqtt311}) so that the test decides each PUBREC,
 * PUBREL and PUBCOMP; the other clients are stock Paho. One cluster for the class: the outbound test moves a session
 * from node 2 to node 3, then the inbound test moves one from node 1, which it stops, to node 2.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MqttQos2ClusterTest {

    @TempDir
    static Path dir;
    private MqttCluster3 cluster;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<RawMqtt311> raw = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new MqttCluster3(dir);
    }

    @AfterAll
    void stop() {
        for (RawMqtt311 r : raw) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closed
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

    private RawMqtt311 raw(String node) throws Exception {
        RawMqtt311 r = new RawMqtt311(cluster.broker(node).address("mqtt").getPort());
        raw.add(r);
        return r;
    }

    /** A Paho client of {@code node}, connected, whose messages arrive in {@code got} (null: it only publishes). */
    private MqttClient paho(String node, String id, boolean cleanSession, BlockingQueue<String> got) throws Exception {
        MqttClient c = cluster.mqtt(node, id);
        clients.add(c);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                if (got != null) {
                    got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(MqttCluster3.options(cleanSession));
        return c;
    }

    /**
     * [MQTT-4.4.0-1]: on reconnecting with Session Present the server resends the PUBREL of a QoS 2 message whose
     * PUBREC it had received, on another node too. The subscriber gets a QoS 2 PUBLISH on node 2, answers PUBREC,
     * sees the PUBREL and goes without its PUBCOMP; resumed on node 3 it gets the PUBREL of that packet id again
     * [MQTT-4.3.3-11: the PUBREL is sent again until PUBCOMP] and not the PUBLISH, which it has already taken
     * ownership of (sending it again would deliver it twice, [MQTT-4.3.3]).
     */
    @Test
    @Order(1)
    void aPubrelIsSentAgainWhenTheSessionResumesOnAnotherNode() throws Exception {
        RawMqtt311 sub = raw("n2");
        assertThat(sub.connect("qos2-receiver", false)).isFalse();
        assertThat(sub.subscribe(1, "qos2/out", 2)).isEqualTo(2);
        MqttClient pub = paho("n2", "qos2-out-publisher", true, null);
        pub.publish("qos2/out", "release-me".getBytes(StandardCharsets.UTF_8), 2, false);

        Packet publish = sub.expect(30_000);
        assertThat(publish.type()).isEqualTo(Type.PUBLISH);
        assertThat(publish.publishPayload()).isEqualTo("release-me");
        int id = publish.publishId();
        sub.answer(Type.PUBREC, id);
        Packet release = sub.expect(30_000);
        assertThat(release.type()).isEqualTo(Type.PUBREL);
        assertThat(release.ackId()).isEqualTo(id);
        sub.close(); // no PUBCOMP

        RawMqtt311 resumed = raw("n3");
        assertThat(resumed.connect("qos2-receiver", false)).as("session present on node 3").isTrue();
        Packet again = resumed.expect(30_000);
        assertThat(again.type()).as("the PUBREL sent again, not the PUBLISH").isEqualTo(Type.PUBREL);
        assertThat(again.ackId()).isEqualTo(id);
        resumed.answer(Type.PUBCOMP, id);
        Packet more = resumed.read(3_000);
        assertThat(more).as("nothing else owed to the session").isNull();

        // The exchange is over: the session goes on receiving on node 3.
        pub.publish("qos2/out", "next".getBytes(StandardCharsets.UTF_8), 2, false);
        Packet next = resumed.expect(30_000);
        assertThat(next.type()).isEqualTo(Type.PUBLISH);
        assertThat(next.publishPayload()).isEqualTo("next");
        resumed.answer(Type.PUBREC, next.publishId());
        assertThat(resumed.expect(30_000).type()).isEqualTo(Type.PUBREL);
        resumed.answer(Type.PUBCOMP, next.publishId());
        resumed.close();
    }

    /**
     * [MQTT-4.3.3-10]: until the PUBREL, the receiver of a QoS 2 PUBLISH answers a PUBLISH with the same packet id
     * without delivering it onwards again (the exactly-once of [MQTT-4.3.3]), also when the session resumes on
     * another node. A QoS 2 PUBLISH on node 1 gets its PUBREC; node 1 stops; the publisher resumes its session on
     * node 2 [MQTT-3.1.2-4], sends the PUBLISH again with DUP [MQTT-4.4.0-1, MQTT-3.3.1-1] and the same packet id,
     * gets PUBREC, then PUBCOMP for its PUBREL [MQTT-4.3.3-11]. A persistent subscriber gets the message once.
     */
    @Test
    @Order(2)
    void aQos2PublishSentAgainOnAnotherNodeIsNotRoutedAgain() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("n3", "qos2-in-subscriber", false, got);
        subscriber.subscribe("qos2/in", 2);
        // The subscription is a replicated binding: wait until nodes 1 and 2 route to it.
        MqttClient probe1 = paho("n1", "qos2-probe-1", true, null);
        MqttClient probe2 = paho("n2", "qos2-probe-2", true, null);
        awaitRouted(probe1, "probe-n1", got);
        awaitRouted(probe2, "probe-n2", got);
        probe1.disconnect();
        got.clear();

        RawMqtt311 pub = raw("n1");
        pub.connect("qos2-sender", false);
        pub.publishQos2(7, "qos2/in", "exactly-once", false);
        Packet received = pub.expect(30_000);
        assertThat(received.type()).isEqualTo(Type.PUBREC);
        assertThat(received.ackId()).isEqualTo(7);
        assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("exactly-once");
        cluster.stop("n1"); // the PUBREC promised a majority had the packet id: node 1's copy is not needed

        RawMqtt311 resumed = raw("n2");
        boolean present = resumed.connect("qos2-sender", false);
        resumed.publishQos2(7, "qos2/in", "exactly-once", true);
        Packet again = resumed.expect(30_000);
        assertThat(again.type()).isEqualTo(Type.PUBREC);
        assertThat(again.ackId()).isEqualTo(7);
        resumed.answer(Type.PUBREL, 7);
        Packet complete = resumed.expect(30_000);
        assertThat(complete.type()).isEqualTo(Type.PUBCOMP);
        assertThat(complete.ackId()).isEqualTo(7);

        // The packet id is free again [MQTT-2.3.1-6]: the next message with it is a new one and is delivered.
        resumed.publishQos2(7, "qos2/in", "next", false);
        assertThat(resumed.expect(30_000).type()).isEqualTo(Type.PUBREC);
        resumed.answer(Type.PUBREL, 7);
        assertThat(resumed.expect(30_000).type()).isEqualTo(Type.PUBCOMP);
        assertThat(got.poll(30, TimeUnit.SECONDS)).as("no second copy before the next message").isEqualTo("next");
        assertThat(got.poll(2, TimeUnit.SECONDS)).isNull();
        // The session outlived node 1 though it never subscribed (it has no queue): its QoS 2 ids are the session.
        assertThat(present).as("session present on node 2").isTrue();
        resumed.close();
    }

    /** Publishes QoS 1 until the subscriber gets it: the publisher's node routes to the subscription. */
    private static void awaitRouted(MqttClient probe, String body, BlockingQueue<String> got) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            probe.publish("qos2/in", body.getBytes(StandardCharsets.UTF_8), 1, false);
            String g;
            while ((g = got.poll(1, TimeUnit.SECONDS)) != null) {
                if (g.equals(body)) {
                    return;
                }
            }
        }
        throw new AssertionError("node of " + probe.getClientId() + " never routed to the subscription");
    }
}
