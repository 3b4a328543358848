package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Message;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** MQTT 5 PUBLISH properties to engine messages and back. */
class PropertyMappingTest {
    private static final long NOW = 1_000_000L;

    private static Message publish(MqttProperties props, int qos) {
        return PropertyMapping.fromPublish("amq.topic", "a/b.c", qos, false, props, new byte[] {1}, "c1", "alice", NOW);
    }

    @Test
    void topicQosAndPublisherTravelWithTheMessage() {
        Message m = publish(MqttProperties.NO_PROPERTIES, 1);
        assertThat(m.routingKey()).isEqualTo("a.b/c");
        assertThat(PropertyMapping.topicOf(m)).isEqualTo("a/b.c");
        assertThat(PropertyMapping.qosOf(m)).isEqualTo(1);
        assertThat(m.persistent()).as("QoS > 0 is persistent").isTrue();
        assertThat(PropertyMapping.clientIdOf(m)).isEqualTo("c1");
        assertThat(PropertyMapping.retainOf(m)).isFalse();
    }

    @Test
    void propertiesAreForwardedUnaltered_MQTT_3_3_2_4_15_16_17_20() {
        MqttProperties in = new MqttProperties();
        in.add(new StringProperty(MqttProperties.CONTENT_TYPE, "text/plain"));
        in.add(new StringProperty(MqttProperties.RESPONSE_TOPIC, "reply/here"));
        in.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, "id-1".getBytes(StandardCharsets.UTF_8)));
        in.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        UserProperties user = new UserProperties();
        user.add("k", "v");
        in.add(user);
        MqttProperties out = PropertyMapping.toProperties(publish(in, 0), NOW);
        assertThat(out.getProperty(MqttProperties.CONTENT_TYPE).value()).isEqualTo("text/plain");
        assertThat(out.getProperty(MqttProperties.RESPONSE_TOPIC).value()).isEqualTo("reply/here");
        assertThat((byte[]) out.getProperty(MqttProperties.CORRELATION_DATA).value())
                .isEqualTo("id-1".getBytes(StandardCharsets.UTF_8));
        assertThat(out.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR).value()).isEqualTo(1);
        assertThat(((UserProperties) out.getProperty(MqttProperties.USER_PROPERTY)).value())
                .anySatisfy(p -> {
                    assertThat(p.key).isEqualTo("k");
                    assertThat(p.value).isEqualTo("v");
                });
    }

    @Test
    void binaryCorrelationDataSurvivesTheTrip() {
        MqttProperties in = new MqttProperties();
        byte[] raw = {(byte) 0xFF, 0, (byte) 0xC3};
        in.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, raw));
        MqttProperties out = PropertyMapping.toProperties(publish(in, 0), NOW);
        assertThat((byte[]) out.getProperty(MqttProperties.CORRELATION_DATA).value()).isEqualTo(raw);
    }

    @Test
    void theExpiryIntervalSentIsWhatIsLeft_MQTT_3_3_2_6() {
        MqttProperties in = new MqttProperties();
        in.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 10));
        Message m = publish(in, 0);
        assertThat(PropertyMapping.remainingSeconds(m, NOW + 3_000)).isEqualTo(7);
        assertThat(PropertyMapping.remainingSeconds(m, NOW + 3_500)).as("rounded up").isEqualTo(7);
        assertThat(PropertyMapping.toProperties(m, NOW + 3_000).getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL)
                .value()).isEqualTo(7);
    }

    @Test
    void anExpiredMessageIsNotDelivered_MQTT_3_3_2_5() {
        MqttProperties in = new MqttProperties();
        in.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 1));
        assertThat(PropertyMapping.toProperties(publish(in, 0), NOW + 1_000)).isNull();
    }

    @Test
    void aResponseTopicWithAWildcardIsLeftOut_MQTT_3_3_2_14() {
        assertThat(PropertyMapping.validTopicName("a/+")).isFalse();
        assertThat(PropertyMapping.validTopicName("a/#")).isFalse();
        assertThat(PropertyMapping.validTopicName("")).isFalse();
        assertThat(PropertyMapping.validTopicName("a/b")).isTrue();
    }

    @Test
    void stringsMqttCannotCarryAreRecognised_MQTT_1_5_4_1_MQTT_1_5_4_2() {
        assertThat(PropertyMapping.mqttString("ok")).isTrue();
        assertThat(PropertyMapping.mqttString("a\0b")).isFalse();
        assertThat(PropertyMapping.mqttString("x".repeat(65_536))).isFalse();
        assertThat(PropertyMapping.mqttString("\u00e9".repeat(32_768))).as("65,536 UTF-8 bytes").isFalse();
    }

    @Test
    void onlyPayloadFormatZeroAndOneAreValid() {
        MqttProperties two = new MqttProperties();
        two.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 2));
        assertThat(PropertyMapping.validPayloadFormat(two)).isFalse();
        assertThat(PropertyMapping.validPayloadFormat(MqttProperties.NO_PROPERTIES)).isTrue();
    }
}
