package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Device telemetry replayed from a stream: an MQTT publish reaches a stream through an ordinary binding on
 * {@code amq.topic} (routing only, nothing MQTT-specific in the stream), and a consumer starting at
 * {@code x-stream-offset: first} reads it after the fact, as RabbitMQ's MQTT plugin and streams allow.
 */
class MqttToStreamTest {
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    @Test
    void mqttPublishesLandInAStreamBoundOnAmqTopicAndReplayFromFirst() throws Exception {
        Channel amqp = mqtt.amqpChannel();
        String stream = "telemetry.stream." + id("s");
        amqp.queueDeclare(stream, true, false, false, Map.of("x-queue-type", "stream"));
        amqp.queueBind(stream, "amq.topic", "sensors.*.temperature");
        Mqtt5BlockingClient device = mqtt.connected5(id("sensor"));
        for (int i = 0; i < 3; i++) {
            device.publishWith().topic("sensors/s1/temperature").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(utf8("t" + i)).send();
        }
        device.publishWith().topic("sensors/s1/humidity").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("h")).send();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        amqp.basicQos(10);
        amqp.basicConsume(stream, false, Map.of("x-stream-offset", "first"), (tag, d) -> {
            got.add(MqttSupport.text(d.getBody()) + "@" + d.getProperties().getHeaders().get("x-stream-offset"));
            amqp.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        List<String> read = List.of(got.poll(10, TimeUnit.SECONDS), got.poll(10, TimeUnit.SECONDS),
                got.poll(10, TimeUnit.SECONDS));
        assertThat(read).containsExactly("t0@0", "t1@1", "t2@2");
        assertThat(got.poll(300, TimeUnit.MILLISECONDS)).as("the humidity topic is not bound").isNull();
    }
}
