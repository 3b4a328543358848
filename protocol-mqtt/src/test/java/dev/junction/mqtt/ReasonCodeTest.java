package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reason codes against the tables of MQTT 5 section 2.4 and their MQTT 3.1.1 forms. */
class ReasonCodeTest {
    @Test
    void codesAreTheSpecificationsValues() {
        assertThat(ReasonCode.SUCCESS.code()).isZero();
        assertThat(ReasonCode.DISCONNECT_WITH_WILL.code()).isEqualTo(0x04);
        assertThat(ReasonCode.NO_MATCHING_SUBSCRIBERS.code()).isEqualTo(0x10);
        assertThat(ReasonCode.NO_SUBSCRIPTION_EXISTED.code()).isEqualTo(0x11);
        assertThat(ReasonCode.CONTINUE_AUTHENTICATION.code()).isEqualTo(0x18);
        assertThat(ReasonCode.RE_AUTHENTICATE.code()).isEqualTo(0x19);
        assertThat(ReasonCode.UNSPECIFIED_ERROR.code()).isEqualTo(0x80);
        assertThat(ReasonCode.MALFORMED_PACKET.code()).isEqualTo(0x81);
        assertThat(ReasonCode.PROTOCOL_ERROR.code()).isEqualTo(0x82);
        assertThat(ReasonCode.NOT_AUTHORIZED.code()).isEqualTo(0x87);
        assertThat(ReasonCode.KEEP_ALIVE_TIMEOUT.code()).isEqualTo(0x8D);
        assertThat(ReasonCode.SESSION_TAKEN_OVER.code()).isEqualTo(0x8E);
        assertThat(ReasonCode.TOPIC_FILTER_INVALID.code()).isEqualTo(0x8F);
        assertThat(ReasonCode.TOPIC_NAME_INVALID.code()).isEqualTo(0x90);
        assertThat(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND.code()).isEqualTo(0x92);
        assertThat(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED.code()).isEqualTo(0x93);
        assertThat(ReasonCode.TOPIC_ALIAS_INVALID.code()).isEqualTo(0x94);
        assertThat(ReasonCode.PACKET_TOO_LARGE.code()).isEqualTo(0x95);
        assertThat(ReasonCode.QUOTA_EXCEEDED.code()).isEqualTo(0x97);
        assertThat(ReasonCode.ADMINISTRATIVE_ACTION.code()).isEqualTo(0x98);
        assertThat(ReasonCode.PAYLOAD_FORMAT_INVALID.code()).isEqualTo(0x99);
        assertThat(ReasonCode.MAXIMUM_CONNECT_TIME.code()).isEqualTo(0xA0);
    }

    @Test
    void everyCodeIsDistinctAndFoundByItsValue() {
        Set<Integer> seen = new HashSet<>();
        for (ReasonCode r : ReasonCode.values()) {
            assertThat(seen.add(r.code())).as(r.name()).isTrue();
            assertThat(ReasonCode.of(r.code())).isSameAs(r);
            assertThat(ReasonCode.of(r.value())).as("a negative byte").isSameAs(r);
        }
        assertThat(ReasonCode.of(0x83 + 0x40)).isNull();
    }

    @Test
    void codesFromTheHighBitOnAreFailures_section_2_4() {
        assertThat(ReasonCode.NO_MATCHING_SUBSCRIBERS.failure()).isFalse();
        assertThat(ReasonCode.UNSPECIFIED_ERROR.failure()).isTrue();
        assertThat(ReasonCode.failure(0x7F)).isFalse();
        assertThat(ReasonCode.failure(0x80)).isTrue();
        assertThat(ReasonCode.failure(0x9E)).as("a code this server does not know").isTrue();
    }

    @Test
    void mqtt311SubackSaysFailureForEveryRefusal_MQTT_3_9_3_2() {
        assertThat(ReasonCode.NOT_AUTHORIZED.subAck(false)).isEqualTo(0x80);
        assertThat(ReasonCode.TOPIC_FILTER_INVALID.subAck(false)).isEqualTo(0x80);
        assertThat(ReasonCode.QUOTA_EXCEEDED.subAck(false)).isEqualTo(0x80);
        assertThat(ReasonCode.NOT_AUTHORIZED.subAck(true)).isEqualTo(0x87);
        assertThat(ReasonCode.TOPIC_FILTER_INVALID.subAck(true)).isEqualTo(0x8F);
        assertThat(ReasonCode.QUOTA_EXCEEDED.subAck(true)).isEqualTo(0x97);
    }

    @Test
    void mqtt311AcknowledgementsCarryNoReason() {
        assertThat(ReasonCode.NOT_AUTHORIZED.ack(false)).isZero();
        assertThat(ReasonCode.NOT_AUTHORIZED.ack(true)).isEqualTo((byte) 0x87);
    }

    @Test
    void connackRefusalsUseTheVersionsOwnCodes_MQTT_3_2_2_8() {
        assertThat(ReasonCode.NOT_AUTHORIZED.connack(true)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
        assertThat(ReasonCode.NOT_AUTHORIZED.connack(false)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(ReasonCode.BAD_USER_NAME_OR_PASSWORD.connack(false))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        assertThat(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID.connack(false))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        assertThat(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION.connack(false))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        // 3.1.1 has no Quota exceeded: Server unavailable says "try later".
        assertThat(ReasonCode.QUOTA_EXCEEDED.connack(false)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(ReasonCode.QUOTA_EXCEEDED.connack(true)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED);
        // 3.1.1 has no CONNACK for a malformed CONNECT: the connection is closed.
        assertThat(ReasonCode.MALFORMED_PACKET.connack(false)).isNull();
        // Reasons that only end an accepted connection have no CONNACK form.
        assertThat(ReasonCode.SESSION_TAKEN_OVER.connack(true)).isNull();
        assertThat(ReasonCode.UNSPECIFIED_ERROR.connack(true)).isNull();
    }

    @Test
    void connackCodesHaveTheSameByteValueAsTheReason() {
        for (ReasonCode r : ReasonCode.values()) {
            if (r.connack(true) != null) {
                assertThat(r.connack(true).byteValue() & 0xFF).as(r.name()).isEqualTo(r.code());
            }
        }
    }
}
