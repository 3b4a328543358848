package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Delivery;
import io.micrometer.core.instrument.Counter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values one protocol allows and the other cannot carry, between MQTT 5 and AMQP 0-9-1 clients on amq.topic
 * (docs/interop.md, "Values that do not fit"). AMQP 0-9-1: a routing key and every string basic property are
 * shortstr, at most 255 octets (section 4.2.5.3); so is a field-table name. MQTT: a UTF-8 string is at most 65,535
 * bytes [MQTT-1.5.4-1] without U+0000 [MQTT-1.5.4-2]; a Topic Name has no wildcard [MQTT-3.3.2-2] and is not
 * empty [MQTT-4.7.3-1]. What does not fit must not stop the deliveries after it.
 */
class MqttAmqpBoundsTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();
    private Channel amqp;

    @BeforeEach
    void connectAmqp() throws Exception {
        amqp = mqtt.amqpChannel();
    }

    /** A queue bound to amq.topic, consumed with manual acks and prefetch 1: one stuck delivery stops it. */
    private BlockingQueue<Delivery> consume(String bindingKey) throws Exception {
        String q = amqp.queueDeclare().getQueue();
        amqp.queueBind(q, "amq.topic", bindingKey);
        amqp.basicQos(1);
        BlockingQueue<Delivery> in = new LinkedBlockingQueue<>();
        amqp.basicConsume(q, false, (DeliverCallback) (tag, d) -> {
            in.add(d);
            amqp.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        return in;
    }

    private static Delivery next(BlockingQueue<Delivery> in) throws InterruptedException {
        Delivery d = in.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("a delivery").isNotNull();
        return d;
    }

    private double counter(String name, String... tags) {
        Counter c = mqtt.broker().registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void mqttTopicOver255BytesIsDiscardedForAmqpConsumerAndLaterMessagesFlow() throws Exception {
        // A routing key is a shortstr in basic.deliver (AMQP 0-9-1 4.2.5.3): a 300-byte MQTT topic has no AMQP form.
        BlockingQueue<Delivery> in = consume("long.#");
        String longTopic = "long/" + "x".repeat(295);
        Mqtt5BlockingClient pub = mqtt.connected5(id("longpub"));
        Mqtt5BlockingClient sub = mqtt.connected5(id("longsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes mqttIn = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("long/#").qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith().topic(longTopic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("too long for AMQP")).send();
            // 135 characters but 265 UTF-8 bytes: the limit is in octets.
            pub.publishWith().topic("long/" + "\u00e9".repeat(130)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("2"))
                    .send();
            pub.publishWith().topic("long/ok").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("fits")).send();
            Delivery d = next(in);
            assertThat(d.getEnvelope().getRoutingKey()).isEqualTo("long.ok");
            assertThat(text(d.getBody())).isEqualTo("fits");
            // MQTT subscribers are not affected: they get both, the long topic unchanged.
            assertThat(mqttIn.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo(longTopic);
            assertThat(mqttIn.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString())
                    .isEqualTo("long/" + "\u00e9".repeat(130));
            assertThat(mqttIn.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("long/ok");
        }
        assertThat(counter("junction.amqp.undeliverable")).isEqualTo(2.0);
        assertThat(in).isEmpty();
    }

    @Test
    void mqttPropertiesOver255BytesReachAmqpConsumerAsHeaders() throws Exception {
        BlockingQueue<Delivery> in = consume("props.#");
        String contentType = "application/" + "c".repeat(290);
        String responseTopic = "reply/" + "r".repeat(290);
        String correlation = "k".repeat(300);
        String longKey = "n".repeat(300);
        Mqtt5BlockingClient pub = mqtt.connected5(id("proppub"));
        pub.publishWith().topic("props/a").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("p"))
                .contentType(contentType).responseTopic(responseTopic).correlationData(utf8(correlation))
                .userProperties().add(longKey, "dropped").add("unit", "C").applyUserProperties().send();
        pub.publishWith().topic("props/b").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("after")).send();
        Delivery d = next(in);
        AMQP.BasicProperties p = d.getProperties();
        assertThat(d.getEnvelope().getRoutingKey()).isEqualTo("props.a");
        assertThat(p.getContentType()).isNull();
        assertThat(p.getReplyTo()).isNull();
        assertThat(p.getCorrelationId()).isNull();
        Map<String, Object> h = p.getHeaders();
        assertThat(String.valueOf(h.get("x-junction-content-type"))).isEqualTo(contentType);
        assertThat(String.valueOf(h.get("x-junction-reply-to"))).isEqualTo(responseTopic.replace('/', '.'));
        assertThat(String.valueOf(h.get("x-junction-correlation-id"))).isEqualTo(correlation);
        assertThat(String.valueOf(h.get("unit"))).isEqualTo("C");
        assertThat(h).doesNotContainKey(longKey).containsEntry("x-junction-dropped-headers", 1);
        assertThat(text(next(in).getBody())).isEqualTo("after");
    }

    @Test
    void amqpHeadersMqttCannotCarryAreLeftOutOfUserProperties() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("hdrsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("hdr/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("big", "v".repeat(70_000)); // over 65,535 bytes [MQTT-1.5.4-1]
            headers.put("nul", "a\u0000b"); // U+0000 [MQTT-1.5.4-2]
            headers.put("k", "v");
            amqp.basicPublish("amq.topic", "hdr.a", new AMQP.BasicProperties.Builder().headers(headers)
                    .contentType("text/\u0000plain").build(), utf8("first"));
            amqp.basicPublish("amq.topic", "hdr.b", null, utf8("second"));
            Mqtt5Publish first = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(text(first.getPayloadAsBytes())).isEqualTo("first");
            List<String> names = first.getUserProperties().asList().stream()
                    .map(Mqtt5UserProperty::getName).map(Object::toString).toList();
            assertThat(names).contains("k").doesNotContain("big", "nul");
            assertThat(first.getContentType()).isEmpty();
            assertThat(text(in.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("second");
            assertThat(sub.getState().isConnected()).isTrue();
        }
    }

    @Test
    void amqpExpirationBeyondFourByteIntervalIsCappedNotWrapped() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("expsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send();
            // 5e12 ms is 5e9 s, past the Four Byte Integer of Message Expiry Interval (MQTT 5 section 3.3.2.3.3);
            // cut to 32 bits it would be 705,032,704 s.
            amqp.basicPublish("amq.topic", "exp.a", new AMQP.BasicProperties.Builder().expiration("5000000000000")
                    .build(), utf8("long-lived"));
            Mqtt5Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getMessageExpiryInterval()).hasValue(0xFFFF_FFFFL);
        }
    }

    @Test
    void mqtt311SubscriberSkipsRoutingKeyThatIsNoTopicName() throws Exception {
        var sub = mqtt.connected3(id("wild3"));
        try (var in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("v3/#").qos(MqttQos.AT_LEAST_ONCE).send();
            amqp.basicPublish("amq.topic", "v3.#", null, utf8("hash")); // [MQTT-3.3.2-2] in 3.1.1 as well
            amqp.basicPublish("amq.topic", "v3.ok", null, utf8("ok"));
            var p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("v3/ok");
            assertThat(sub.getState().isConnected()).isTrue();
        }
    }

    @Test
    void amqpRoutingKeyThatIsNoMqttTopicNameIsDroppedForMqttSubscriber() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("wildsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            // Routing keys are free text in AMQP; as MQTT topics these hold a wildcard [MQTT-3.3.2-2] or are
            // empty [MQTT-4.7.3-1].
            amqp.basicPublish("amq.topic", "w.#", null, utf8("hash"));
            amqp.basicPublish("amq.topic", "w.+", null, utf8("plus"));
            amqp.basicPublish("amq.topic", "", null, utf8("empty"));
            // reply_to becomes the Response Topic, also a Topic Name [MQTT-3.3.2-14]: left out when it is none.
            amqp.basicPublish("amq.topic", "w.ok", new AMQP.BasicProperties.Builder().replyTo("r.#").build(),
                    utf8("ok"));
            Mqtt5Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("w/ok");
            assertThat(text(p.getPayloadAsBytes())).isEqualTo("ok");
            assertThat(p.getResponseTopic()).isEmpty();
            assertThat(sub.getState().isConnected()).isTrue();
        }
        assertThat(counter("junction.mqtt.dropped", "reason", "unrepresentable")).isEqualTo(3.0);
    }
}
