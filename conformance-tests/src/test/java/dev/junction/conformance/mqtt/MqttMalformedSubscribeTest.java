package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static dev.junction.conformance.mqtt.RawMqtt.concat;
import static dev.junction.conformance.mqtt.RawMqtt.packet;
import static dev.junction.conformance.mqtt.RawMqtt.str;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed SUBSCRIBE, UNSUBSCRIBE and CONNECT packets, and PUBLISH properties the protocol does not allow, as raw
 * bytes: the broker closes the connection (MQTT 5: DISCONNECT, or CONNACK for a CONNECT, with the reason code
 * first; MQTT 5 section 4.13, 3.1.1 section 4.8) instead of answering or waiting for bytes that never come, and a
 * well-behaved client keeps working.
 */
class MqttMalformedSubscribeTest {
    private static final int MALFORMED = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    @AfterEach
    void othersStillServed() throws Exception {
        mqtt.assertStillServes();
    }

    /** A v5 SUBSCRIBE (packet id 1) with the given property section and payload. */
    private static byte[] subscribe5(byte[] properties, byte[] payload) {
        return packet(0x82, concat(new byte[] {0, 1}, properties, payload));
    }

    /**
     * The broker's answer to a malformed packet or protocol error: DISCONNECT with the reason code, then close
     * [MQTT-4.13.1-1].
     */
    private static void v5(String name, byte[] bad, int reason) throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id(name));
            raw.send(bad);
            raw.expectDisconnect(reason);
        }
    }

    private static void v311Closes(String name, byte[] bad) throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3(id(name), 60);
            raw.send(bad);
            int[] answer = raw.readPacket(5000);
            assertThat(answer).as("no answer, the connection closed").isNull();
        }
    }

    // A SUBSCRIBE must carry a packet identifier (MQTT 5 section 3.8.2, 3.1.1 section 3.8.2); one that ends before it
    // is malformed, and the packet after it must not be read as its missing bytes.
    @Test
    void subscribeEndingBeforeItsPacketIdentifierIsMalformed() throws Exception {
        v311Closes("trunc3", new byte[] {(byte) 0x82, 0x00});
        v5("trunc5", concat(new byte[] {(byte) 0x82, 0x00}, new byte[] {(byte) 0xC0, 0x00}), MALFORMED);
    }

    // MQTT 5 UNSUBSCRIBE: packet identifier then properties (section 3.10.2); `a2 02 00 01` has no property length.
    @Test
    void unsubscribeEndingBeforeItsPropertiesIsMalformed() throws Exception {
        v5("untrunc5", new byte[] {(byte) 0xA2, 0x02, 0x00, 0x01}, MALFORMED);
    }

    // The property length says 10 bytes, the packet holds 2 (MQTT 5 section 2.2.2.1).
    @Test
    void subscribePropertiesRunningPastThePacketAreMalformed() throws Exception {
        v5("proplen", subscribe5(new byte[] {10, 0x0B, 0x01}, new byte[0]), MALFORMED);
    }

    // [MQTT-3.8.3-5]: reserved bits 6 and 7 of the Subscription Options; 3.1.1 [MQTT-3-8.3-4]: bits 2 to 7.
    // [MQTT-3.8.3-5] (5.0) / [MQTT-3.8.3-4] (3.1.1): a SUBSCRIBE whose Subscription Options have a reserved bit set
    // is malformed.
    @Test
    void subscriptionOptionsWithReservedBitsAreMalformed_MQTT_3_8_3_5() throws Exception {
        v5("rsv5", subscribe5(new byte[] {0}, concat(str("a/b"), new byte[] {(byte) 0x40})), MALFORMED);
        v311Closes("rsv3", packet(0x82, concat(new byte[] {0, 1}, str("a/b"), new byte[] {0x04})));
    }

    // SUBSCRIBE may carry only Subscription Identifier and User Property (MQTT 5 section 3.8.2.1); an identifier not
    // valid for the packet type makes it malformed (section 2.2.2.2). 0x01 is the Payload Format Indicator.
    @Test
    void subscribeWithAPropertyItMayNotCarryIsMalformed() throws Exception {
        v5("prop", subscribe5(new byte[] {2, 0x01, 0x01}, concat(str("a/b"), new byte[] {0})), MALFORMED);
    }

    // "It is a Protocol Error to include the Subscription Identifier more than once" (MQTT 5 section 3.8.2.1.2).
    @Test
    void subscribeWithTwoSubscriptionIdentifiersIsAProtocolError() throws Exception {
        v5("twoids", subscribe5(new byte[] {4, 0x0B, 0x01, 0x0B, 0x02}, concat(str("a/b"), new byte[] {0})),
                PROTOCOL_ERROR);
    }

    // [MQTT-4.7.3-1]: topic filters are at least one character long.
    @Test
    void emptyTopicFilterIsMalformed_MQTT_4_7_3_1() throws Exception {
        v5("empty5", subscribe5(new byte[] {0}, concat(str(""), new byte[] {0})), MALFORMED);
        v311Closes("empty3", packet(0x82, concat(new byte[] {0, 1}, str(""), new byte[] {0})));
    }

    // [MQTT-4.7.1-1] (5.0) / [MQTT-4.7.1-2] (3.1.1): '#' must be the last character of the filter.
    @Test
    void multiLevelWildcardNotLastIsMalformed_MQTT_4_7_1_1() throws Exception {
        v5("hash5", subscribe5(new byte[] {0}, concat(str("a/#/b"), new byte[] {0})), MALFORMED);
        v311Closes("hash3", packet(0x82, concat(new byte[] {0, 1}, str("a/#/b"), new byte[] {0})));
    }

    // [MQTT-3.8.3-2] (5.0): "The Payload MUST contain at least one Topic Filter and Subscription Options pair";
    // 3.1.1 [MQTT-3.8.3-3]: "A SUBSCRIBE packet with no payload is a protocol violation".
    @Test
    void subscribeWithoutTopicFilterIsAProtocolError_MQTT_3_8_3_2() throws Exception {
        v5("nosub5", subscribe5(new byte[] {0}, new byte[0]), PROTOCOL_ERROR);
        v311Closes("nosub3", new byte[] {(byte) 0x82, 0x02, 0x00, 0x01});
    }

    // [MQTT-4.7.1-2] (5.0) / [MQTT-4.7.1-3] (3.1.1): where '+' is used it must occupy an entire level of the filter.
    @Test
    void singleLevelWildcardThatIsNotAWholeLevelIsMalformed_MQTT_4_7_1_3() throws Exception {
        v5("plus5", subscribe5(new byte[] {0}, concat(str("a/b+"), new byte[] {0})), MALFORMED);
        v311Closes("plus3", packet(0x82, concat(new byte[] {0, 1}, str("a/b+"), new byte[] {0})));
    }

    // [MQTT-4.8.2-1]: a shared subscription's filter has a ShareName at least one character long; [MQTT-4.8.2-2]:
    // the ShareName has no '/', '+' or '#' and is followed by '/' and a Topic Filter. Such a filter is refused in
    // the SUBACK (0x8F Topic Filter invalid) and the connection stays open.
    @Test
    void sharedSubscriptionWithAnInvalidShareNameIsRefusedInTheSuback_MQTT_4_8_2_1_MQTT_4_8_2_2() throws Exception {
        for (String filter : new String[] {"$share//a", "$share/g+/a", "$share/g#/a", "$share/g/"}) {
            try (RawMqtt raw = new RawMqtt(mqtt.port())) {
                raw.connect5(id("share"));
                raw.send(subscribe5(new byte[] {0}, concat(str(filter), new byte[] {0})));
                int[] suback = raw.readPacket(5000);
                assertThat(suback).as(filter).isNotNull();
                assertThat(suback[0]).as(filter).isEqualTo(0x90);
                assertThat(suback[suback.length - 1]).as(filter).isEqualTo(0x8F);
            }
        }
    }

    // [MQTT-3.10.3-2]: at least one topic filter; "An UNSUBSCRIBE packet with no Payload is a Protocol Error".
    @Test
    void unsubscribeWithoutTopicFilterIsAProtocolError_MQTT_3_10_3_2() throws Exception {
        v5("nofilter5", packet(0xA2, new byte[] {0, 1, 0}), PROTOCOL_ERROR);
        v311Closes("nofilter3", new byte[] {(byte) 0xA2, 0x02, 0x00, 0x01});
    }

    // MQTT 5 section 3.3.2.3.2 defines Payload Format Indicator 0 and 1 only. A value of 2 parses as a Byte but is
    // data the protocol does not allow: a Protocol Error (section 1.2), so DISCONNECT 0x82 and close (4.13).
    @Test
    void publishWithUndefinedPayloadFormatIndicatorIsAProtocolError() throws Exception {
        v5("pfi", packet(0x30, concat(str("pfi/t"), new byte[] {2, 0x01, 2}, utf8("x"))), PROTOCOL_ERROR);
    }
}
