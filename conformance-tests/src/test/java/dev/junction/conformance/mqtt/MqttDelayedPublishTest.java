package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An MQTT 5 publish delayed by its {@code x-delay} user property: MQTT publishes into {@code amq.topic}, so the
 * delay applies once an exchange-to-exchange binding leads from {@code amq.topic} into an
 * {@code x-delayed-message} exchange, whose own bindings take the message when it is due (docs/patterns.md,
 * "Delayed messages"). Timing is asserted as a lower bound only.
 */
class MqttDelayedPublishTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    @Test
    void userPropertyXDelayHoldsThePublishInADelayedExchangeBoundToAmqTopic() throws Exception {
        Channel amqp = mqtt.amqpChannel();
        amqp.exchangeDeclare("mqtt.later", "x-delayed-message", true, false, Map.of("x-delayed-type", "topic"));
        amqp.exchangeBind("mqtt.later", "amq.topic", "later.#");
        String q = amqp.queueDeclare().getQueue();
        amqp.queueBind(q, "mqtt.later", "later.#");
        Mqtt5BlockingClient pub = mqtt.connected5(id("later"));
        long before = System.currentTimeMillis();
        pub.publishWith().topic("later/door/open").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("open"))
                .userProperties().add("x-delay", "800").applyUserProperties().send();
        GetResponse r = null;
        for (int i = 0; i < 500 && r == null; i++) {
            r = amqp.basicGet(q, true);
            if (r == null) {
                Thread.sleep(20);
            }
        }
        assertThat(r).as("the delayed publish arrived").isNotNull();
        assertThat(System.currentTimeMillis() - before).as("not before its delay").isGreaterThanOrEqualTo(800);
        assertThat(text(r.getBody())).isEqualTo("open");
        assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("later.door.open");
    }
}
