package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static dev.junction.conformance.amqp10.Amqp10Support.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JMS (AMQP 1.0), AMQP 0-9-1 and MQTT 5 clients meeting in one engine, with the mapping of docs/amqp10.md:
 * application properties ↔ 0-9-1 headers ↔ MQTT user properties, a JMS text body as its UTF-8 bytes, topics on
 * {@code amq.topic} with MQTT's {@code /} as AMQP's {@code .}.
 */
class JmsInteropTest {
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void jmsToAmqp091PropertiesBecomeHeaders() throws Exception {
        Channel amqp = broker.amqpChannel();
        String q = amqp.queueDeclare(id("to-091"), true, false, false, null).getQueue();
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("/queues/" + q));
        TextMessage m = s.createTextMessage("héllo");
        m.setStringProperty("color", "blue");
        m.setIntProperty("n", 7);
        m.setBooleanProperty("ok", true);
        m.setJMSCorrelationID("corr-1");
        m.setJMSType("kind");
        m.setStringProperty("JMSXGroupID", "group-7"); // Qpid JMS sends it as properties.group-id
        p.send(m, DeliveryMode.PERSISTENT, 6, 0);

        GetResponse r = Amqp10Support.poll(amqp, q);
        assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        AMQP.BasicProperties props = r.getProps();
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getPriority()).isEqualTo(6);
        assertThat(props.getCorrelationId()).isEqualTo("corr-1");
        assertThat(props.getType()).isEqualTo("kind");
        assertThat(props.getMessageId()).isEqualTo(m.getJMSMessageID());
        assertThat(props.getUserId()).isNull();
        assertThat(props.getAppId()).as("group-id becomes app-id, as RabbitMQ 4 maps it").isEqualTo("group-7");
        Map<String, Object> headers = props.getHeaders();
        assertThat(String.valueOf(headers.get("color"))).isEqualTo("blue");
        assertThat(headers.get("n")).isEqualTo(7);
        assertThat(headers.get("ok")).isEqualTo(true);
    }

    @Test
    void amqp091ToJmsHeadersBecomeProperties() throws Exception {
        Channel amqp = broker.amqpChannel();
        String q = amqp.queueDeclare(id("from-091"), true, false, false, null).getQueue();
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + q));
        amqp.basicPublish("", q, new AMQP.BasicProperties.Builder().deliveryMode(2).correlationId("c-9")
                .messageId("m-9").type("order").appId("billing").replyTo("/queues/answers")
                .headers(Map.of("color", "red", "qty", 3))
                .build(), utf8("raw bytes"));

        Message got = consumer.receive(WAIT_MS);
        assertThat(got).isInstanceOf(BytesMessage.class);
        BytesMessage bytes = (BytesMessage) got;
        byte[] body = new byte[(int) bytes.getBodyLength()];
        bytes.readBytes(body);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("raw bytes");
        assertThat(got.getStringProperty("color")).isEqualTo("red");
        assertThat(got.getIntProperty("qty")).isEqualTo(3);
        assertThat(got.getJMSCorrelationID()).isEqualTo("c-9");
        assertThat(got.getJMSType()).isEqualTo("order");
        assertThat(got.getStringProperty("JMSXGroupID")).as("app-id becomes group-id, as RabbitMQ 4 maps it")
                .isEqualTo("billing");
        assertThat(got.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    }

    @Test
    void mqttDeviceToJmsTopicConsumer() throws Exception {
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createTopic("sensors.*.temp"));
        Mqtt5BlockingClient device = broker.mqtt5(id("device"));
        device.publishWith().topic("sensors/x/temp").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("21.5"))
                .userProperties().add("unit", "C").applyUserProperties().send();

        Message got = consumer.receive(WAIT_MS);
        assertThat(got).isInstanceOf(BytesMessage.class);
        BytesMessage bytes = (BytesMessage) got;
        byte[] body = new byte[(int) bytes.getBodyLength()];
        bytes.readBytes(body);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("21.5");
        assertThat(got.getStringProperty("unit")).isEqualTo("C");
        assertThat(got.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    }

    @Test
    void jmsToMqttDevice() throws Exception {
        Mqtt5BlockingClient device = broker.mqtt5(id("listener"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.subscribeWith().topicFilter("alerts/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createTopic("alerts.fire"));
            TextMessage m = s.createTextMessage("hot");
            m.setStringProperty("level", "high");
            p.send(m);

            Mqtt5Publish got = in.receive(WAIT_MS, TimeUnit.MILLISECONDS).orElseThrow();
            assertThat(got.getTopic().toString()).isEqualTo("alerts/fire");
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hot");
            assertThat(got.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(got.getUserProperties().asList()).anySatisfy(u -> {
                assertThat(u.getName().toString()).isEqualTo("level");
                assertThat(u.getValue().toString()).isEqualTo("high");
            });
        }
    }

    @Test
    void exchangeAddressesRouteByKeyOrBySubject() throws Exception {
        Channel amqp = broker.amqpChannel();
        String q = amqp.queueDeclare(id("routed"), false, false, true, null).getQueue();
        amqp.queueBind(q, "amq.direct", "key-a");
        amqp.queueBind(q, "amq.direct", "key-b");
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        s.createProducer(s.createQueue("/exchanges/amq.direct/key-a")).send(s.createTextMessage("by address"));
        MessageProducer bySubject = s.createProducer(s.createQueue("/exchanges/amq.direct"));
        TextMessage m = s.createTextMessage("by subject");
        m.setJMSType("key-b"); // Qpid JMS sends JMSType as the subject
        bySubject.send(m);

        assertThat(new String(Amqp10Support.poll(amqp, q).getBody(), StandardCharsets.UTF_8)).isEqualTo("by address");
        GetResponse second = Amqp10Support.poll(amqp, q);
        assertThat(new String(second.getBody(), StandardCharsets.UTF_8)).isEqualTo("by subject");
        assertThat(second.getEnvelope().getRoutingKey()).isEqualTo("key-b");
    }
}
