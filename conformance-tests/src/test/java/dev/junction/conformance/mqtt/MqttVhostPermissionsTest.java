package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ-style vhost permissions apply to MQTT as they do to AMQP: publishing writes to the MQTT exchange,
 * subscribing reads from it and uses the client's session queue. Refusals are MQTT 5 reason 0x87.
 */
class MqttVhostPermissionsTest {
    private static final String USERS = """
              - name: reader
                password: reader
                permissions:
                  "/": { configure: "^mqtt\\\\.", write: "^mqtt\\\\.", read: ".*" }
              - name: writer
                password: writer
                permissions:
                  "/": { configure: "", write: "^amq\\\\.topic$", read: "" }
            """;

    @RegisterExtension
    static final ConformanceBroker broker =
            ConformanceBroker.perClass(BrokerConfig.standard().withMqtt("  allow_anonymous: false\n").withUsers(USERS));

    private static Mqtt5BlockingClient connect(String user, String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        c.connectWith().simpleAuth().username(user).password(user.getBytes()).applySimpleAuth().send();
        return c;
    }

    @Test
    void aUserWithoutWriteOnTheMqttExchangeGetsNotAuthorizedForQos1Publishes() {
        Mqtt5BlockingClient reader = connect("reader", "perm-reader-pub");
        try {
            Assertions.assertThatThrownBy(() -> reader.publishWith().topic("a/b").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(new byte[] {1}).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));
        } finally {
            reader.disconnect();
        }
    }

    @Test
    void aUserWithoutReadOnTheMqttExchangeGetsNotAuthorizedForSubscribe() {
        Mqtt5BlockingClient writer = connect("writer", "perm-writer-sub");
        try {
            Mqtt5SubAck ack = writer.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
            // ...while publishing, which it may do, works.
            writer.publishWith().topic("a/b").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException e) {
            assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        } finally {
            writer.disconnect();
        }
    }

    @Test
    void aUserWithReadAndQueuePermissionsMaySubscribe() {
        Mqtt5BlockingClient reader = connect("reader", "perm-reader-sub");
        try {
            Mqtt5SubAck ack = reader.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        } finally {
            reader.disconnect();
        }
    }
}
