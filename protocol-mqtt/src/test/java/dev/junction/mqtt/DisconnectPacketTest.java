package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

/** The server's DISCONNECT, encoded by the real codec. */
class DisconnectPacketTest {
    private static ByteBuf encode(MqttMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ch.attr(PacketGuard.CODEC_VERSION).set(MqttVersion.MQTT_5);
        ch.writeOutbound(m);
        ByteBuf out = ch.readOutbound();
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void carriesTheReasonCodeAndTheReasonString_MQTT_4_13_1_1() {
        MqttMessage m = DisconnectPacket.of(ReasonCode.PROTOCOL_ERROR, "second CONNECT", Long.MAX_VALUE);
        var h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat(h.reasonCode()).isEqualTo((byte) 0x82);
        assertThat(h.properties().getProperty(MqttProperties.REASON_STRING).value()).isEqualTo("second CONNECT");
        ByteBuf b = encode(m);
        try {
            assertThat(b.getUnsignedByte(0)).isEqualTo((short) 0xE0);
            assertThat(b.getUnsignedByte(2)).isEqualTo((short) 0x82);
            assertThat(PacketSize.disconnect(h.properties())).isEqualTo(b.readableBytes());
        } finally {
            b.release();
        }
    }

    @Test
    void leavesTheReasonStringOutWhenItWouldExceedTheClientsMaximumPacketSize_MQTT_3_14_2_3() {
        String why = "x".repeat(100);
        MqttMessage m = DisconnectPacket.of(ReasonCode.MALFORMED_PACKET, why, 50);
        var h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat(h.reasonCode()).isEqualTo((byte) 0x81);
        assertThat(h.properties().isEmpty()).isTrue();
        ByteBuf b = encode(m);
        try {
            assertThat(b.readableBytes()).isLessThanOrEqualTo(50);
        } finally {
            b.release();
        }
    }

    @Test
    void neverCarriesASessionExpiryInterval_MQTT_3_14_2_2() {
        MqttMessage m = DisconnectPacket.of(ReasonCode.SESSION_TAKEN_OVER, null, Long.MAX_VALUE);
        var h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat(h.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL)).isNull();
        assertThat(h.properties().isEmpty()).isTrue();
    }

    @Test
    void aLongReasonIsCut() {
        MqttMessage m = DisconnectPacket.of(ReasonCode.PROTOCOL_ERROR, "y".repeat(10_000), Long.MAX_VALUE);
        var h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat((String) h.properties().getProperty(MqttProperties.REASON_STRING).value())
                .hasSize(DisconnectPacket.MAX_REASON_CHARS);
    }
}
