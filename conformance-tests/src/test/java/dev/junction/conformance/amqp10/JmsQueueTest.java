package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Qpid JMS over AMQP 1.0, on the port AMQP 0-9-1 uses: queues by plain name (declared when missing, as
 * RabbitMQ 3.x's plugin did) and by RabbitMQ 4's {@code /queues/:q}, persistent and non-persistent, auto and client
 * acknowledgement (docs/amqp10.md).
 */
class JmsQueueTest {
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void persistentAndNonPersistentMessagesGoThroughAQueueWithAutoAck() throws Exception {
        Connection c = broker.jms();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(Amqp10Support.id("jms-q"));
        MessageProducer p = s.createProducer(q);
        p.send(s.createTextMessage("durable"), DeliveryMode.PERSISTENT, 4, 0);
        p.send(s.createTextMessage("transient"), DeliveryMode.NON_PERSISTENT, 4, 0);
        MessageConsumer consumer = s.createConsumer(q);
        Message first = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) first).getText()).isEqualTo("durable");
        assertThat(first.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        Message second = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) second).getText()).isEqualTo("transient");
        assertThat(second.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
        assertThat(consumer.receive(200)).isNull();
    }

    @Test
    void clientAckLeavesUnacknowledgedMessagesForTheNextConsumer() throws Exception {
        Connection c = broker.jms();
        String name = Amqp10Support.id("jms-ack");
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue q = s.createQueue(name);
        MessageProducer p = s.createProducer(q);
        p.send(s.createTextMessage("one"));
        p.send(s.createTextMessage("two"));
        MessageConsumer consumer = s.createConsumer(q);
        Message one = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) one).getText()).isEqualTo("one");
        one.acknowledge(); // acknowledges "one" only: "two" was not received by the application yet
        consumer.close();
        s.close();

        Session again = broker.jms().createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer next = again.createConsumer(again.createQueue("/queues/" + name));
        Message two = next.receive(WAIT_MS);
        assertThat(((TextMessage) two).getText()).isEqualTo("two");
        two.acknowledge();
        assertThat(next.receive(200)).isNull();
    }

    @Test
    void anUnacknowledgedMessageIsRedeliveredAfterRecover() throws Exception {
        Connection c = broker.jms();
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue q = s.createQueue(Amqp10Support.id("jms-recover"));
        s.createProducer(q).send(s.createTextMessage("again"));
        MessageConsumer consumer = s.createConsumer(q);
        Message first = consumer.receive(WAIT_MS);
        assertThat(first.getJMSRedelivered()).isFalse();
        s.recover();
        Message second = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) second).getText()).isEqualTo("again");
        assertThat(second.getJMSRedelivered()).isTrue();
        second.acknowledge();
    }
}
