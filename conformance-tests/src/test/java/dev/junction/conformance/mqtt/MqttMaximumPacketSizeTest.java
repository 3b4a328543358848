package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectRestrictions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client's Maximum Packet Size: the server never sends a larger packet [MQTT-3.1.2-24] and drops a PUBLISH that
 * does not fit as if delivered [MQTT-3.1.2-25]; one that fits, to the byte, is delivered.
 */
class MqttMaximumPacketSizeTest {
    private static final int MAX = 100;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    /**
     * The encoded size of the MQTT 5 QoS 0 PUBLISH the subscriber gets (MQTT 5 sections 2.1, 3.3): fixed header
     * byte, Remaining Length, topic, then the properties: only the Subscription Identifier (0x0B) 1, which the HiveMQ
     * client puts on its first SUBSCRIBE of a connection since the broker announces identifiers as available, so
     * property length 1 byte + identifier 1 byte + value 1 byte.
     */
    private static int publishSize(String topic, int payload) {
        int remaining = 2 + topic.getBytes(StandardCharsets.UTF_8).length + 3 + payload;
        return 1 + (remaining < 128 ? 1 : 2) + remaining;
    }

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    @Test
    void publishOfExactlyTheClientsMaximumIsDeliveredAndOneByteMoreIsNot_MQTT_3_1_2_24_MQTT_3_1_2_25()
            throws Exception {
        String topic = "mps/" + id("t");
        int fits = MAX - publishSize(topic, 0);
        assertThat(publishSize(topic, fits)).isEqualTo(MAX);
        Mqtt5BlockingClient sub = mqtt.v5(id("small"));
        MqttSupport.auth(sub.connectWith()).cleanStart(true)
                .restrictions(Mqtt5ConnectRestrictions.builder().maximumPacketSize(MAX).topicAliasMaximum(0).build())
                .send();
        Mqtt5BlockingClient pub = mqtt.connected5(id("pub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_MOST_ONCE).send();
            pub.publishWith().topic(topic).payload(filled(fits + 1, 'b')).send(); // one byte over: dropped
            pub.publishWith().topic(topic).payload(filled(fits, 'a')).send(); // exactly the maximum: delivered
            pub.publishWith().topic(topic).payload("end".getBytes(StandardCharsets.UTF_8)).send();
            byte[] first = in.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes();
            assertThat(first).as("the PUBLISH of exactly %d bytes", MAX).isEqualTo(filled(fits, 'a'));
            assertThat(text(in.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("end");
        }
        assertThat(sub.getState().isConnected()).isTrue();
    }

    // [MQTT-3.1.2-24] covers every packet: a SUBACK with one reason code per filter [MQTT-3.9.3-1] that would not fit
    // is not sent, and the connection is closed (the client would wait for it forever).
    @Test
    void subackLargerThanTheClientsMaximumIsNotSent_MQTT_3_1_2_24() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            byte[] header = RawMqtt.concat(RawMqtt.str("MQTT"), new byte[] {5, (byte) 0xC2, 0, 60},
                    new byte[] {5, 0x27, 0, 0, 0, 40}); // properties: Maximum Packet Size = 40
            raw.send(RawMqtt.packet(0x10, RawMqtt.concat(header, RawMqtt.str(id("suback")), RawMqtt.str("guest"),
                    RawMqtt.str("guest"))));
            int[] connack = raw.readPacket(5000);
            assertThat(connack).isNotNull();
            assertThat(connack[0]).isEqualTo(0x20);
            assertThat(connack[2]).isEqualTo(0);
            byte[][] filters = new byte[41][];
            for (int i = 0; i < filters.length; i++) {
                filters[i] = RawMqtt.concat(RawMqtt.str("sa/" + i), new byte[] {0});
            }
            // SUBACK: 2 header bytes + packet id 2 + property length 1 + 41 codes = 46 bytes > 40
            raw.send(RawMqtt.packet(0x82, RawMqtt.concat(new byte[] {0, 1, 0}, RawMqtt.concat(filters))));
            assertThat(raw.readPacket(5000)).as("no SUBACK over 40 bytes; the connection closed").isNull();
        }
    }

    // [MQTT-3.1.2-24] covers CONNACK too: a client whose maximum is smaller than the CONNACK gets none, and the
    // connection is closed (it cannot work without one).
    @Test
    void connackLargerThanTheClientsMaximumIsNotSent_MQTT_3_1_2_24() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            byte[] header = RawMqtt.concat(RawMqtt.str("MQTT"), new byte[] {5, (byte) 0xC2, 0, 60},
                    new byte[] {5, 0x27, 0, 0, 0, 8}); // properties: Maximum Packet Size = 8
            raw.send(RawMqtt.packet(0x10, RawMqtt.concat(header, RawMqtt.str(id("tiny")), RawMqtt.str("guest"),
                    RawMqtt.str("guest"))));
            assertThat(raw.readPacket(5000)).as("no CONNACK over 8 bytes; the connection closed").isNull();
        }
    }
}
