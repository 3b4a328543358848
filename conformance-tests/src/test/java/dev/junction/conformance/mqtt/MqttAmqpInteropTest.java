package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT and AMQP 0-9-1 clients meeting on amq.topic: the topic and property mapping of docs/interop.md. */
class MqttAmqpInteropTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();
    private Channel amqp;

    @BeforeEach
    void connectAmqp() throws Exception {
        amqp = mqtt.amqpChannel();
    }

    private String boundQueue(String bindingKey) throws Exception {
        String q = amqp.queueDeclare().getQueue();
        amqp.queueBind(q, "amq.topic", bindingKey);
        return q;
    }

    private GetResponse poll(String queue) throws Exception {
        for (int i = 0; i < 250; i++) {
            GetResponse r = amqp.basicGet(queue, true);
            if (r != null) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing arrived in " + queue);
    }

    @Test
    void mqttPublishReachesAmqpQueueBoundWithWildcard() throws Exception {
        String q = boundQueue("sensors.*.temp");
        Mqtt5BlockingClient pub = mqtt.connected5(id("sensor"));
        pub.publishWith().topic("sensors/x/temp").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("21.5"))
                .contentType("text/plain").userProperties().add("unit", "C").applyUserProperties().send();
        GetResponse r = poll(q);
        assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("sensors.x.temp");
        assertThat(text(r.getBody())).isEqualTo("21.5");
        AMQP.BasicProperties p = r.getProps();
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getUserId()).isEqualTo("guest");
        assertThat(String.valueOf(p.getHeaders().get("unit"))).isEqualTo("C");
        assertThat(String.valueOf(p.getHeaders().get("x-mqtt-topic"))).isEqualTo("sensors/x/temp");
    }

    @Test
    void amqpPublishReachesMqttSubscriberWithMappedProperties() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("hum"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("sensors/+/hum").qos(MqttQos.AT_LEAST_ONCE).send();
            amqp.basicPublish("amq.topic", "sensors.y.hum", new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .contentType("application/json").headers(Map.of("k", "v")).build(), utf8("{\"h\":40}"));
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("sensors/y/hum");
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(p.getContentType().orElseThrow().toString()).isEqualTo("application/json");
            assertThat(p.getUserProperties().asList()).anySatisfy(u -> {
                assertThat(u.getName().toString()).isEqualTo("k");
                assertThat(u.getValue().toString()).isEqualTo("v");
            });
        }
    }

    @Test
    void mqttRequestAnsweredByAmqpRpcServer() throws Exception {
        String requests = boundQueue("rpc.req");
        amqp.basicConsume(requests, true, (DeliverCallback) (tag, d) -> amqp.basicPublish("amq.topic",
                d.getProperties().getReplyTo(), new AMQP.BasicProperties.Builder()
                        .correlationId(d.getProperties().getCorrelationId()).build(),
                utf8("re:" + text(d.getBody()))), tag -> { });
        Mqtt5BlockingClient client = mqtt.connected5(id("requester"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("rpc/resp/me").qos(MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic("rpc/req").qos(MqttQos.AT_LEAST_ONCE).responseTopic("rpc/resp/me")
                    .correlationData(utf8("c-1")).payload(utf8("ping")).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(text(p.getPayloadAsBytes())).isEqualTo("re:ping");
            byte[] corr = new byte[p.getCorrelationData().orElseThrow().remaining()];
            p.getCorrelationData().get().get(corr);
            assertThat(text(corr)).isEqualTo("c-1");
        }
    }

    @Test
    void dottedMqttTopicRoundTrips() throws Exception {
        String q = boundQueue("spBv1/0.g.n");
        Mqtt5BlockingClient sub = mqtt.connected5(id("dots"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("spBv1.0/+/n").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = mqtt.connected5(id("dotpub"));
            pub.publishWith().topic("spBv1.0/g/n").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("d")).send();
            assertThat(poll(q).getEnvelope().getRoutingKey()).isEqualTo("spBv1/0.g.n");
            assertThat(in.receive(5, TimeUnit.SECONDS).orElseThrow().getTopic().toString())
                    .isEqualTo("spBv1.0/g/n");
            amqp.basicPublish("amq.topic", "spBv1/0.g.n", null, utf8("from amqp"));
            assertThat(in.receive(5, TimeUnit.SECONDS).orElseThrow().getTopic().toString())
                    .isEqualTo("spBv1.0/g/n");
        }
    }

    @Test
    void amqpConsumerSharesAnMqttShareGroupQueue() throws Exception {
        Mqtt5BlockingClient member = mqtt.connected5(id("member"));
        BlockingQueue<String> viaAmqp = new LinkedBlockingQueue<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = member.publishes(MqttGlobalPublishFilter.ALL)) {
            member.subscribeWith().topicFilter("$share/grp/sh/t").qos(MqttQos.AT_LEAST_ONCE).send();
            amqp.basicConsume("mqtt.share.grp.sh/t", true, (DeliverCallback) (tag, d) ->
                    viaAmqp.add(text(d.getBody())), tag -> { });
            Mqtt5BlockingClient pub = mqtt.connected5(id("sharepub"));
            for (int i = 0; i < 6; i++) {
                pub.publishWith().topic("sh/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + i)).send();
            }
            // Bounded by a deadline, not by one quiet spell on the MQTT side: while the last messages go to the AMQP
            // consumer MQTT receives nothing, and on a loaded machine those can take longer than one quiet spell.
            int mqttCount = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (mqttCount + viaAmqp.size() < 6 && System.nanoTime() < deadline) {
                if (in.receive(100, TimeUnit.MILLISECONDS).isPresent()) {
                    mqttCount++;
                }
            }
            assertThat(mqttCount + viaAmqp.size()).isEqualTo(6);
            assertThat(viaAmqp).isNotEmpty();
            assertThat(mqttCount).isPositive();
        }
    }
}
