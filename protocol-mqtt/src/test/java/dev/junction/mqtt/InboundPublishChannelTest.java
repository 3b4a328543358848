package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An inbound PUBLISH through the server's real pipeline, on an embedded channel. */
class InboundPublishChannelTest {
    private final EmbeddedBroker broker;
    private final EmbeddedClient client;

    InboundPublishChannelTest() throws Exception {
        broker = new EmbeddedBroker();
        client = broker.client();
        client.connect("pub-1");
    }

    @AfterEach
    void close() {
        client.close();
        broker.close();
    }

    @Test
    void qos1PublishIsAnsweredWithPubackOfItsPacketId_MQTT_3_3_4_1() throws Exception {
        client.publish("a/b", MqttQoS.AT_LEAST_ONCE, 7, "hello");
        MqttMessage ack = client.next();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        var h = (MqttPubReplyMessageVariableHeader) ack.variableHeader();
        assertThat(h.messageId()).isEqualTo(7);
        // Nobody subscribes to a/b: MQTT 5 says so in the PUBACK (section 3.4.2.1).
        assertThat(h.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS.value());
    }

    @Test
    void qos2PublishIsAnsweredWithPubrecThenPubcomp_MQTT_4_3_3_8() throws Exception {
        client.publish("a/b", MqttQoS.EXACTLY_ONCE, 9, "once");
        MqttMessage rec = client.next();
        assertThat(rec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
        assertThat(((MqttPubReplyMessageVariableHeader) rec.variableHeader()).messageId()).isEqualTo(9);
        client.send(new MqttMessage(new io.netty.handler.codec.mqtt.MqttFixedHeader(MqttMessageType.PUBREL, false,
                MqttQoS.AT_LEAST_ONCE, false, 0), new MqttPubReplyMessageVariableHeader(9, (byte) 0,
                io.netty.handler.codec.mqtt.MqttProperties.NO_PROPERTIES)));
        MqttMessage comp = client.next();
        assertThat(comp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(((MqttPubReplyMessageVariableHeader) comp.variableHeader()).messageId()).isEqualTo(9);
    }

    @Test
    void aPublishToAWildcardTopicEndsTheConnection_MQTT_3_3_2_2() throws Exception {
        // PUBLISH QoS 1 to "a/+", packet id 3, no properties, payload "x" (the client codec would refuse to send it).
        client.sendRaw(0x32, 9, 0, 3, 'a', '/', '+', 0, 3, 0, 'x');
        MqttMessage m = client.next();
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        // The decoder already refuses the topic name, so the packet is reported as malformed (MQTT 5 section 4.13).
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode())
                .isEqualTo(ReasonCode.MALFORMED_PACKET.value());
        assertThat(client.server.isOpen()).isFalse();
    }

    @Test
    void aSecondConnectIsAProtocolErrorWithItsReasonString_MQTT_3_1_0_2() throws Exception {
        client.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.connect().clientId("pub-1")
                .protocolVersion(io.netty.handler.codec.mqtt.MqttVersion.MQTT_5).build());
        MqttMessage m = client.next();
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        var h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat(h.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR.value());
        assertThat((String) h.properties().getProperty(io.netty.handler.codec.mqtt.MqttProperties.REASON_STRING)
                .value()).contains("second CONNECT");
    }
}
