package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QoS 2 stays exactly-once across a SIGKILL between PUBREC and PUBREL, in both directions: a PUBLISH the broker
 * answered with PUBREC before the crash is not routed again when the client resends it after the restart, and a
 * delivery whose PUBREC the broker saw (and answered with PUBREL) is released after the restart, not sent again.
 */
class MqttQos2CrashRecoveryTest {
    @TempDir
    Path dir;

    // Until the PUBREL, a PUBLISH with the same packet id is answered with PUBREC again and not delivered onward a
    // second time [MQTT-4.3.3-10] (5.0; the same rule for 3.1.1, the version used here, is in its section 4.3.3),
    // also when a broker restart falls between the two.
    @Test
    void pubrecedPublishResentAfterSigkillIsRoutedOnce() throws Exception {
        Path data = dir.resolve("data");
        String topic = "crash/qos2/in";
        BrokerProcess broker = BrokerProcess.start(data, "");
        try {
            MqttClient sub = paho(broker.port("mqtt"), "qos2-in-sub");
            sub.connect(options());
            sub.subscribe(topic, 2);
            sub.disconnect(5000);
            sub.close();

            boolean[] present = new boolean[1];
            try (MqttWire pub = MqttWire.connect311(broker.port("mqtt"), "qos2-in-pub", false, present)) {
                pub.publishQos2(topic, 7, false, bytes("exactly-once"));
                assertThat(pub.expect(MqttWire.PUBREC, 5000).packetId()).isEqualTo(7);
                broker.kill(); // between PUBREC and PUBREL
            }

            broker = BrokerProcess.start(data, "");
            try (MqttWire pub = MqttWire.connect311(broker.port("mqtt"), "qos2-in-pub", false, present)) {
                assertThat(present[0]).as("the publisher's session survived the restart").isTrue();
                pub.publishQos2(topic, 7, true, bytes("exactly-once"));
                assertThat(pub.expect(MqttWire.PUBREC, 5000).packetId()).isEqualTo(7);
                pub.pubrel(7);
                assertThat(pub.expect(MqttWire.PUBCOMP, 5000).packetId()).isEqualTo(7);
                // A fresh message after it: once the subscriber has this one, a second copy would have come first.
                pub.publishQos2(topic, 8, false, bytes("marker"));
                assertThat(pub.expect(MqttWire.PUBREC, 5000).packetId()).isEqualTo(8);
                pub.pubrel(8);
                assertThat(pub.expect(MqttWire.PUBCOMP, 5000).packetId()).isEqualTo(8);
                pub.disconnect();
            }

            List<String> received = Collections.synchronizedList(new ArrayList<>());
            sub = paho(broker.port("mqtt"), "qos2-in-sub");
            sub.setCallback(collect(received));
            assertThat(sub.connectWithResult(options()).getSessionPresent()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!received.contains("marker") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            sub.disconnect(5000);
            sub.close();
            assertThat(received).as("what the subscriber received").containsExactly("exactly-once", "marker");
        } finally {
            broker.close();
        }
    }

    @Test
    void deliveryWhosePubrecWasAnsweredIsReleasedNotResentAfterSigkill() throws Exception {
        Path data = dir.resolve("data");
        String topic = "crash/qos2/out";
        BrokerProcess broker = BrokerProcess.start(data, "");
        try {
            boolean[] present = new boolean[1];
            int packetId;
            try (MqttWire sub = MqttWire.connect311(broker.port("mqtt"), "qos2-out-sub", false, present)) {
                sub.subscribe(topic, 2);
                publishQos2(broker.port("mqtt"), topic, "released-once");
                MqttWire.Packet publish = sub.expect(MqttWire.PUBLISH, 5000);
                assertThat(MqttWire.publishPayload(publish)).isEqualTo("released-once");
                packetId = MqttWire.publishPacketId(publish);
                sub.pubrec(packetId);
                assertThat(sub.expect(MqttWire.PUBREL, 5000).packetId()).isEqualTo(packetId);
                // The PUBREL goes out once the pending release is stored; the engine's ack of the queued copy is
                // written right after it. A crash within those few milliseconds would also resend the PUBLISH
                // (with DUP: at least once), so the kill waits for the next group commits.
                Thread.sleep(300);
                broker.kill(); // between PUBREL and PUBCOMP
            }

            broker = BrokerProcess.start(data, "");
            try (MqttWire sub = MqttWire.connect311(broker.port("mqtt"), "qos2-out-sub", false, present)) {
                assertThat(present[0]).isTrue();
                // The PUBREL is resent [MQTT-4.4.0-1]; the PUBLISH is not.
                MqttWire.Packet first = sub.expect(MqttWire.PUBREL, 5000);
                assertThat(first.packetId()).isEqualTo(packetId);
                sub.pubcomp(packetId);
                publishQos2(broker.port("mqtt"), topic, "marker");
                List<String> payloads = new ArrayList<>();
                MqttWire.Packet p;
                while ((p = sub.read(5000)) != null) {
                    assertThat(p.type()).as("packet type after the PUBREL").isEqualTo(MqttWire.PUBLISH);
                    String payload = MqttWire.publishPayload(p);
                    payloads.add(payload);
                    int id = MqttWire.publishPacketId(p);
                    sub.pubrec(id);
                    assertThat(sub.expect(MqttWire.PUBREL, 5000).packetId()).isEqualTo(id);
                    sub.pubcomp(id);
                    if (payload.equals("marker")) {
                        break;
                    }
                }
                sub.disconnect();
                assertThat(payloads).as("PUBLISHes after the restart").containsExactly("marker");
            }
        } finally {
            broker.close();
        }
    }

    /** One QoS 2 PUBLISH from a short-lived client with a clean session. */
    private static void publishQos2(int port, String topic, String payload) throws Exception {
        boolean[] present = new boolean[1];
        try (MqttWire pub = MqttWire.connect311(port, "qos2-publisher", true, present)) {
            pub.publishQos2(topic, 1, false, bytes(payload));
            pub.expect(MqttWire.PUBREC, 5000);
            pub.pubrel(1);
            pub.expect(MqttWire.PUBCOMP, 5000);
            pub.disconnect();
        }
    }

    private static MqttCallback collect(List<String> received) {
        return new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    private static MqttClient paho(int port, String clientId) throws Exception {
        return new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setAutomaticReconnect(false);
        return o;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
