package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.RawMqtt.concat;
import static dev.junction.conformance.mqtt.RawMqtt.str;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CONNECT packets whose flags break a rule of the Connect Flags byte, as raw bytes: an MQTT 3.1.1 client's
 * connection is closed without a CONNACK ([MQTT-3.1.4-1] (3.1.1)); an MQTT 5 client gets CONNACK 0x81 Malformed
 * Packet first (the Server MAY send it, [MQTT-3.1.4-1] (5.0)).
 */
class MqttConnectFlagsTest {
    private static final int MALFORMED = 0x81;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    /** Sends an MQTT 3.1.1 CONNECT with {@code flags} and {@code afterClientId}; the broker closes, no CONNACK. */
    private static void closedWithoutConnack(String clientId, int flags, byte[] afterClientId) throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.send(raw.connectPacket(4, id(clientId), flags, 60, afterClientId));
            assertThat(raw.readPacket(5000)).as("no CONNACK, the connection closed").isNull();
        }
    }

    /** Sends an MQTT 5 CONNECT with {@code flags}; the broker answers CONNACK 0x81 and closes. */
    private static void malformedConnack5(String clientId, int flags, byte[] afterClientId) throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.send(raw.connectPacket(5, id(clientId), flags, 60, afterClientId));
            int[] ack = raw.readPacket(5000);
            assertThat(ack).isNotNull();
            assertThat(ack[0]).isEqualTo(0x20);
            assertThat(ack[2]).isEqualTo(MALFORMED);
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    // [MQTT-3.1.2-9]: with the Will Flag set, Will Topic and Will Payload must be present. The CONNECT below sets it
    // and ends after the client id; MQTT 5 gets CONNACK 0x81 (the Server MAY send it, [MQTT-3.1.4-1]).
    @Test
    void connectWithWillFlagButNoWillIsMalformed_MQTT_3_1_2_9() throws Exception {
        closedWithoutConnack("will3", 0x02 | 0x04, new byte[0]);
        malformedConnack5("will5", 0x02 | 0x04, new byte[] {0}); // will properties (length 0), no topic or payload
    }

    // 3.1.1: "If the Will Flag is set to 0, then the Will QoS MUST be set to 0" [MQTT-3.1.2-11, MQTT-3.1.2-13]; the
    // same rule is [MQTT-3.1.2-11] in MQTT 5.
    @Test
    void willQosWithoutTheWillFlagIsMalformed_MQTT_3_1_2_11_MQTT_3_1_2_13() throws Exception {
        closedWithoutConnack("willqos3", 0x02 | 0x08, new byte[0]);
        malformedConnack5("willqos5", 0x02 | 0x08, new byte[0]);
    }

    // 3.1.1: with the Will Flag set, Will QoS "MUST NOT be 3 (0x03)" [MQTT-3.1.2-14].
    @Test
    void willQosThreeIsMalformed_MQTT_3_1_2_14() throws Exception {
        closedWithoutConnack("willqos3x", 0x02 | 0x04 | 0x18, concat(str("will/t"), str("gone")));
    }

    // 3.1.1: "If the Will Flag is set to 0, then the Will Retain Flag MUST be set to 0" [MQTT-3.1.2-15].
    @Test
    void willRetainWithoutTheWillFlagIsMalformed_MQTT_3_1_2_15() throws Exception {
        closedWithoutConnack("willretain3", 0x02 | 0x20, new byte[0]);
    }

    // 3.1.1: "If the User Name Flag is set to 0, the Password Flag MUST be set to 0" [MQTT-3.1.2-22].
    @Test
    void passwordWithoutAUserNameIsMalformedOnMqtt311_MQTT_3_1_2_22() throws Exception {
        closedWithoutConnack("pwonly3", 0x02 | 0x40, str("guest"));
    }
}
