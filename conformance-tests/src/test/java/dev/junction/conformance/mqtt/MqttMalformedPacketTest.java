package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hand-written bytes the stock clients never send. The broker closes the offending connection (MQTT 5 clients get
 * DISCONNECT with a reason code first) and a well-behaved client on the same broker keeps working.
 */
class MqttMalformedPacketTest {
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    @AfterEach
    void othersStillServed() throws Exception {
        mqtt.assertStillServes();
    }

    @Test
    void remainingLengthOfFiveBytesIsMalformed_MQTT_1_5_5() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("len"));
            raw.send(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
            raw.expectDisconnect(0x81);
        }
    }

    // 3.1.1 [MQTT-2.2.2-1]: a reserved flag bit must have the value listed; [MQTT-2.2.2-2]: on invalid flags the
    // receiver closes the connection. MQTT 5 states the first rule as [MQTT-2.1.3-1].
    @Test
    void reservedFlagsSetIsMalformed_MQTT_2_2_2_2() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("flags5"));
            raw.send(new byte[] {(byte) 0xC1, 0x00}); // PINGREQ with a reserved bit
            raw.expectDisconnect(0x81);
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3(id("flags3"), 60);
            raw.send(new byte[] {(byte) 0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00}); // SUBSCRIBE flags 0000
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    @Test
    void publishWithBothQosBitsIsMalformed_MQTT_3_3_1_4() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("qos3"));
            raw.send(RawMqtt.packet(0x36, RawMqtt.concat(RawMqtt.str("a"), new byte[] {0, 1, 0})));
            raw.expectDisconnect(0x81);
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3(id("qos3v3"), 60);
            raw.send(RawMqtt.packet(0x36, RawMqtt.concat(RawMqtt.str("a"), new byte[] {0, 1})));
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    // [MQTT-3.3.1-2]: "The DUP flag MUST be set to 0 for all QoS 0 messages".
    @Test
    void publishQos0WithDupIsMalformed_MQTT_3_3_1_2() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("dup5"));
            raw.send(RawMqtt.packet(0x38, RawMqtt.concat(RawMqtt.str("a"), new byte[] {0}, utf8("x"))));
            raw.expectDisconnect(0x81);
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3(id("dup3"), 60);
            raw.send(RawMqtt.packet(0x38, RawMqtt.concat(RawMqtt.str("a"), utf8("x"))));
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    @Test
    void publishBeforeConnectCloses_MQTT_3_1_0_1() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.send(RawMqtt.packet(0x30, RawMqtt.concat(RawMqtt.str("a/b"), utf8("x"))));
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    @Test
    void secondConnectIsProtocolError_MQTT_3_1_0_2() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            String clientId = id("twice");
            raw.connect5(clientId);
            raw.send(raw.connectPacket(5, clientId, 0xC2, 60, RawMqtt.concat(RawMqtt.str("guest"),
                    RawMqtt.str("guest"))));
            raw.expectDisconnect(0x82);
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            String clientId = id("twice3");
            raw.connect3(clientId, 60);
            raw.send(raw.connectPacket(4, clientId, 0xC2, 60, RawMqtt.concat(RawMqtt.str("guest"),
                    RawMqtt.str("guest"))));
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    /**
     * A client that connected with a Session Expiry Interval of zero may not set a non-zero one on its DISCONNECT:
     * a Protocol Error (MQTT 5 section 3.14.2.2.2, a statement without an id; [MQTT-3.14.2-2] is the different
     * rule that the server never sends a Session Expiry Interval on DISCONNECT).
     */
    @Test
    void disconnectSettingSessionExpiryAfterConnectingWithZeroIsProtocolError_section_3_14_2_2_2() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("expiry")); // no Session Expiry Interval: 0
            // DISCONNECT, reason 0x00, properties: Session Expiry Interval (0x11) = 60
            raw.send(RawMqtt.packet(0xE0, new byte[] {0x00, 0x05, 0x11, 0, 0, 0, 60}));
            raw.expectDisconnect(0x82);
        }
    }

    @Test
    void packetOverMaximumSizeRefused_MQTT_3_2_2_15() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("big"));
            // Only the header of a 100 000-byte PUBLISH: the broker refuses it without waiting for the rest.
            raw.send(new byte[] {0x30, (byte) 0xA0, (byte) 0x8D, 0x06});
            raw.expectDisconnect(0x95);
        }
    }

    @Test
    void unsupportedProtocolLevelRefused_MQTT_3_1_2_2() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.send(raw.connectPacket(9, id("lvl"), 0x02, 60, new byte[0]));
            int[] ack = raw.readPacket(5000);
            assertThat(ack).isNotNull();
            assertThat(ack[0]).isEqualTo(0x20);
            assertThat(ack[2]).isEqualTo(0x01);
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }
}
