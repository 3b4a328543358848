package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketSize} must equal what the codec writes, byte for byte, or a packet that fits the client's Maximum
 * Packet Size is dropped (or one that does not is sent) [MQTT-3.1.2-24]: checked against Netty's encoder across the
 * Remaining Length boundaries (1 to 3 bytes) and every kind of property.
 */
class PacketSizeTest {

    private static int encoded(Object message, MqttVersion version) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        try {
            ch.attr(PacketGuard.CODEC_VERSION).set(version);
            ch.writeOutbound(message);
            ByteBuf out = ch.readOutbound();
            try {
                return out.readableBytes();
            } finally {
                out.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static MqttProperties allKinds() {
        MqttProperties p = new MqttProperties();
        p.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        p.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS, 3));
        p.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 60));
        p.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 200_000));
        p.add(new StringProperty(MqttProperties.CONTENT_TYPE, "text/plain; charset=ü"));
        p.add(new StringProperty(MqttProperties.RESPONSE_TOPIC, "reply/\uD83D\uDE00"));
        p.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, new byte[] {1, 2, 3}));
        UserProperties user = new UserProperties();
        user.add("k", "v");
        user.add("clé", "välue");
        p.add(user);
        return p;
    }

    private static MqttPublishMessage publish(String topic, int qos, MqttProperties props, int payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false,
                0), new MqttPublishVariableHeader(topic, qos > 0 ? 7 : -1, props), Unpooled.wrappedBuffer(
                new byte[payload]));
    }

    @Test
    void publishSizeMatchesTheEncoderAcrossRemainingLengthBoundaries() {
        for (MqttProperties props : List.of(new MqttProperties(), allKinds())) {
            for (int qos = 0; qos <= 2; qos++) {
                for (int payload : new int[] {0, 1, 100, 110, 120, 127, 128, 16_300, 16_383, 16_400, 70_000}) {
                    long expected = encoded(publish("a/ü/b", qos, props, payload), MqttVersion.MQTT_5);
                    assertThat(PacketSize.publish("a/ü/b", qos, props, payload))
                            .as("v5 qos %d payload %d", qos, payload).isEqualTo(expected);
                }
            }
        }
        for (int payload : new int[] {0, 120, 121, 122, 123, 16_376, 16_377}) {
            long expected = encoded(publish("t", 1, MqttProperties.NO_PROPERTIES, payload), MqttVersion.MQTT_3_1_1);
            assertThat(PacketSize.publish("t", 1, null, payload)).as("3.1.1 payload %d", payload)
                    .isEqualTo(expected);
        }
    }

    @Test
    void connackSizeMatchesTheEncoder() {
        MqttProperties ack = new MqttProperties();
        ack.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, 100));
        ack.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, 65_536));
        ack.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 3600));
        ack.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, 30));
        ack.add(new IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
        ack.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, "junction-1234"));
        long expected = encoded(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(false).properties(ack).build(), MqttVersion.MQTT_5);
        assertThat(PacketSize.connack(ack)).isEqualTo(expected);
    }
}
