package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's Receive Maximum counts QoS 2 messages until their PUBCOMP, not until their PUBREC. MQTT 5 section
 * 3.3.4: the Client MUST NOT send more than Receive Maximum QoS 1 and QoS 2 PUBLISH packets for which it has not
 * received PUBACK, PUBCOMP, or PUBREC with a Reason Code of 128 or greater [MQTT-3.3.4-7]; a Server that receives
 * more uses DISCONNECT with Reason Code 0x93 (Receive Maximum exceeded).
 */
class MqttReceiveMaximumTest {
    private static final int RECEIVE_MAXIMUM = 4;
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod(MqttSupport.standardMqtt()
            .withMqtt(MqttSupport.DEFAULT_MQTT + "  receive_maximum: " + RECEIVE_MAXIMUM + "\n"));

    private static byte[] publishQos2(int packetId) {
        return RawMqtt.packet(0x34, RawMqtt.concat(RawMqtt.str("rm/t"),
                new byte[] {(byte) (packetId >> 8), (byte) packetId, 0}, utf8("m" + packetId)));
    }

    @Test
    void qos2AwaitingPubrelCountsAgainstReceiveMaximum_MQTT_3_3_4_7() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            int[] connack = raw.connect(5, id("rmax"), 0x02, 60, new byte[0]);
            assertThat(connack[0]).isEqualTo(0x20);
            for (int id = 1; id <= RECEIVE_MAXIMUM; id++) {
                raw.send(publishQos2(id));
                int[] pubrec = raw.readPacket(5000);
                assertThat(pubrec[0]).isEqualTo(0x50);
                assertThat((pubrec[1] << 8) | pubrec[2]).isEqualTo(id);
            }
            // PUBREL of one id frees its place: the PUBCOMP comes, and so does the PUBREC of the next message.
            raw.send(RawMqtt.packet(0x62, new byte[] {0, 1}));
            assertThat(raw.readPacket(5000)[0]).isEqualTo(0x70);
            raw.send(publishQos2(RECEIVE_MAXIMUM + 1));
            assertThat(raw.readPacket(5000)[0]).isEqualTo(0x50);

            // All places are taken by messages that got a PUBREC but no PUBCOMP: one more is over the limit.
            raw.send(publishQos2(RECEIVE_MAXIMUM + 2));
            int[] disconnect = raw.readPacket(5000);
            assertThat(disconnect).isNotNull();
            assertThat(disconnect[0]).isEqualTo(0xE0);
            assertThat(disconnect[1]).isEqualTo(0x93);
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }
}
