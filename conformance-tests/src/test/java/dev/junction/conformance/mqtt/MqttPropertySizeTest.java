package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The size of an MQTT 5 packet's properties (MQTT 5 section 2.2.2). The specification sets no limit and lets a
 * User Property appear any number of times (section 3.3.2.3.7), so a packet within the Maximum Packet Size can hold
 * millions of empty ones, each several objects once decoded. The broker accepts up to 64 KiB of properties and
 * closes a connection that sends more with DISCONNECT 0x97 Quota exceeded ("An implementation or administrative
 * imposed limit has been exceeded", section 3.14.2.1); the packet is valid and within the announced maximum, so it
 * is neither 0x81, 0x82 nor 0x95.
 */
class MqttPropertySizeTest {
    private static final int MAX_PROPERTIES = 65_536;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass(MqttSupport.standardMqtt()
            .withMqtt(MqttSupport.DEFAULT_MQTT.replace("max_packet_size: 65536", "max_packet_size: 4194304")));

    /** A property section (length, then properties) of User Properties "k" = value, {@code bytes} long in all. */
    private static byte[] oneUserProperty(int bytes) {
        int value = bytes - 6; // identifier 1, key 2 + 1, value length 2
        return RawMqtt.concat(vbi(bytes), new byte[] {0x26}, RawMqtt.str("k"),
                RawMqtt.str("v".repeat(value)));
    }

    private static byte[] emptyUserProperties(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(vbi(count * 5));
        for (int i = 0; i < count; i++) {
            out.writeBytes(new byte[] {0x26, 0, 0, 0, 0}); // User Property, empty key and value: 5 bytes
        }
        return out.toByteArray();
    }

    private static byte[] vbi(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return out.toByteArray();
    }

    /** A QoS 1 PUBLISH with packet identifier 1 and the given property section. */
    private static byte[] publish(String topic, byte[] properties) {
        return RawMqtt.packet(0x32, RawMqtt.concat(RawMqtt.str(topic), new byte[] {0, 1}, properties,
                MqttSupport.utf8("payload")));
    }

    private static void assertQuotaExceeded(RawMqtt raw) throws Exception {
        int[] p = raw.readPacket(5000);
        assertThat(p).as("a DISCONNECT before the close").isNotNull();
        assertThat(p[0]).isEqualTo(0xE0);
        assertThat(p[1]).as("reason code 0x97 Quota exceeded").isEqualTo(0x97);
        assertThat(raw.readUntilClosed(5000)).isTrue();
    }

    @Test
    void publishOfHundredsOfThousandsOfEmptyUserPropertiesClosedWithQuotaExceeded() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("flood"));
            raw.send(publish("props/flood", emptyUserProperties(600_000))); // 3 MB of properties
            assertQuotaExceeded(raw);
        }
    }

    @Test
    void propertiesOfExactly64KiBAcceptedAndOneByteMoreRefused() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("edge"));
            raw.send(publish("props/edge", oneUserProperty(MAX_PROPERTIES)));
            int[] ack = raw.readPacket(5000);
            assertThat(ack).as("PUBACK for 64 KiB of properties").isNotNull();
            assertThat(ack[0]).isEqualTo(0x40);
            raw.send(publish("props/edge", oneUserProperty(MAX_PROPERTIES + 1)));
            assertQuotaExceeded(raw);
        }
    }

    @Test
    void publishWithAFewUserPropertiesStillAcknowledged() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("few"));
            byte[] props = RawMqtt.concat(new byte[] {0x26}, RawMqtt.str("a"), RawMqtt.str("1"),
                    new byte[] {0x26}, RawMqtt.str("b"), RawMqtt.str("2"));
            raw.send(publish("props/few", RawMqtt.concat(vbi(props.length), props)));
            int[] ack = raw.readPacket(5000);
            assertThat(ack).isNotNull();
            assertThat(ack[0]).isEqualTo(0x40);
        }
    }

    // SUBSCRIBE carries properties too (MQTT 5 section 3.8.2.1); the same limit applies to every packet type.
    @Test
    void subscribeWithTooManyPropertiesClosedWithQuotaExceeded() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("sub"));
            raw.send(RawMqtt.packet(0x82, RawMqtt.concat(new byte[] {0, 1}, emptyUserProperties(20_000),
                    RawMqtt.str("props/sub"), new byte[] {0})));
            assertQuotaExceeded(raw);
        }
    }
}
