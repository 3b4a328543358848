package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round trips through the other protocols keep what both sides have (docs/amqp10.md, "Message mapping"): a JMS
 * message relayed by an AMQP 0-9-1 client that copies properties, headers and body, and by an MQTT 5 client that
 * copies payload, user properties, content type and correlation data, reaches a JMS consumer as it was sent.
 */
class JmsRoundTripTest {
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    private static TextMessage original(Session s) throws Exception {
        TextMessage m = s.createTextMessage("round trip é");
        m.setStringProperty("color", "blue");
        m.setJMSCorrelationID("corr-7");
        return m;
    }

    @Test
    void throughAnAmqp091Relay() throws Exception {
        Channel amqp = broker.amqpChannel();
        String in = amqp.queueDeclare(id("rt-in"), false, false, true, null).getQueue();
        String out = amqp.queueDeclare(id("rt-out"), false, false, true, null).getQueue();
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + out));
        TextMessage sent = original(s);
        sent.setIntProperty("n", 7);
        sent.setBooleanProperty("ok", true);
        sent.setJMSType("kind");
        sent.setJMSReplyTo(s.createQueue("/queues/" + in));
        s.createProducer(s.createQueue("/queues/" + in)).send(sent, DeliveryMode.PERSISTENT, 6, 0);

        GetResponse relayed = null;
        for (int i = 0; i < 250 && relayed == null; i++) {
            relayed = amqp.basicGet(in, true);
            if (relayed == null) {
                Thread.sleep(20);
            }
        }
        assertThat(relayed).isNotNull();
        amqp.basicPublish("", out, relayed.getProps(), relayed.getBody());

        Message got = consumer.receive(WAIT_MS);
        assertThat(got).isInstanceOf(TextMessage.class);
        assertThat(((TextMessage) got).getText()).isEqualTo("round trip é");
        assertThat(got.getJMSMessageID()).isEqualTo(sent.getJMSMessageID());
        assertThat(got.getJMSCorrelationID()).isEqualTo("corr-7");
        assertThat(got.getJMSType()).isEqualTo("kind");
        assertThat(got.getJMSPriority()).isEqualTo(6);
        assertThat(got.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        assertThat(got.getJMSReplyTo()).isEqualTo(sent.getJMSReplyTo());
        assertThat(got.getStringProperty("color")).isEqualTo("blue");
        assertThat(got.getIntProperty("n")).isEqualTo(7);
        assertThat(got.getBooleanProperty("ok")).isTrue();
    }

    @Test
    void throughAnMqtt5Relay() throws Exception {
        Mqtt5BlockingClient relay = broker.mqtt5(id("relay"));
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createTopic("rt.out"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = relay.publishes(MqttGlobalPublishFilter.ALL)) {
            relay.subscribeWith().topicFilter("rt/in").qos(MqttQos.AT_LEAST_ONCE).send();
            TextMessage sent = original(s);
            s.createProducer(s.createTopic("rt.in")).send(sent);

            Mqtt5Publish p = in.receive(WAIT_MS, TimeUnit.MILLISECONDS).orElseThrow();
            relay.publish(Mqtt5Publish.builder().topic("rt/out").qos(p.getQos()).payload(p.getPayloadAsBytes())
                    .userProperties(p.getUserProperties())
                    .correlationData(p.getCorrelationData().orElse(null))
                    .contentType(p.getContentType().orElse(null)).build());
        }
        Message got = consumer.receive(WAIT_MS);
        assertThat(got).isInstanceOf(TextMessage.class);
        assertThat(((TextMessage) got).getText()).isEqualTo("round trip é");
        assertThat(got.getJMSCorrelationID()).isEqualTo("corr-7");
        assertThat(got.getStringProperty("color")).isEqualTo("blue");
    }

    /**
     * MQTT 5 Correlation Data is Binary Data [MQTT 5 section 3.3.2.3.6], an AMQP 1.0 correlation-id may be binary
     * [AMQP 1.0 part 3 section 3.5.8, message-id-binary]: bytes that are no UTF-8 text cross both ways unchanged,
     * as a binary correlation-id (JMS: getJMSCorrelationIDAsBytes) and back (docs/amqp10.md, "Message mapping").
     */
    @Test
    void binaryCorrelationDataIsABinaryCorrelationIdBothWays() throws Exception {
        byte[] notText = {(byte) 0xff, (byte) 0xfe, 0x41};
        Mqtt5BlockingClient mqtt = broker.mqtt5(id("corr"));
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createTopic("corr.in"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
            mqtt.subscribeWith().topicFilter("corr/back").qos(MqttQos.AT_LEAST_ONCE).send();
            mqtt.publishWith().topic("corr/in").qos(MqttQos.AT_LEAST_ONCE).correlationData(notText)
                    .payload(Amqp10Support.utf8("request")).send();
            Message got = consumer.receive(WAIT_MS);
            assertThat(got).isNotNull();
            assertThat(got.getJMSCorrelationIDAsBytes()).isEqualTo(notText);

            Message reply = s.createTextMessage("reply");
            reply.setJMSCorrelationIDAsBytes(notText);
            s.createProducer(s.createTopic("corr.back")).send(reply);
            Mqtt5Publish p = in.receive(WAIT_MS, TimeUnit.MILLISECONDS).orElseThrow();
            byte[] data = new byte[p.getCorrelationData().orElseThrow().remaining()];
            p.getCorrelationData().get().get(data);
            assertThat(data).isEqualTo(notText);
        }
    }
}
