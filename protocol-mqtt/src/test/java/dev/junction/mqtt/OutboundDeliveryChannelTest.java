package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A message delivered to a subscriber through the server's real pipeline, on embedded channels. */
class OutboundDeliveryChannelTest {
    private final EmbeddedBroker broker;
    private final EmbeddedClient subscriber;
    private final EmbeddedClient publisher;

    OutboundDeliveryChannelTest() throws Exception {
        broker = new EmbeddedBroker();
        subscriber = broker.client();
        publisher = broker.client();
        subscriber.connect("sub-1");
        publisher.connect("pub-1");
    }

    @AfterEach
    void close() {
        subscriber.close();
        publisher.close();
        broker.close();
    }

    private void subscribe(String filter, MqttQoS qos) throws Exception {
        subscriber.subscribe(filter, qos, 1);
        MqttMessage ack = subscriber.next();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        assertThat(((MqttSubAckMessage) ack).payload().grantedQoSLevels()).containsExactly(qos.value());
    }

    @Test
    void aMatchingPublishIsDeliveredWithItsTopicAndPayload_MQTT_3_3_2_3() throws Exception {
        subscribe("sensors/+/temp", MqttQoS.AT_MOST_ONCE);
        publisher.publish("sensors/kitchen/temp", MqttQoS.AT_MOST_ONCE, 0, "21.5");
        subscriber.awaitHandoff();
        MqttPublishMessage m = (MqttPublishMessage) subscriber.next();
        try {
            assertThat(m.variableHeader().topicName()).isEqualTo("sensors/kitchen/temp");
            assertThat(m.payload().toString(StandardCharsets.UTF_8)).isEqualTo("21.5");
            assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        } finally {
            m.release();
        }
    }

    @Test
    void theDeliveredQosIsTheLowerOfPublishAndGrant_MQTT_3_8_4_8() throws Exception {
        subscribe("a/b", MqttQoS.AT_MOST_ONCE);
        publisher.publish("a/b", MqttQoS.AT_LEAST_ONCE, 5, "x");
        assertThat(publisher.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        subscriber.awaitHandoff();
        MqttPublishMessage m = (MqttPublishMessage) subscriber.next();
        try {
            assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        } finally {
            m.release();
        }
    }
}
