package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transacted JMS sessions over AMQP 1.0's coordinator (docs/amqp10.md, "Transactions"): sends are routed at
 * commit and dropped by rollback; receives are acknowledged at commit, and come again after a rollback.
 */
class JmsTransactionTest {
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void sendsAreRoutedAtCommitAndDroppedByRollback() throws Exception {
        Connection c = broker.jms();
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = tx.createQueue(id("tx-send"));
        MessageProducer producer = tx.createProducer(q);
        MessageConsumer consumer = plain.createConsumer(q);

        producer.send(tx.createTextMessage("one"));
        producer.send(tx.createTextMessage("two"));
        assertThat(consumer.receive(300)).as("nothing before the commit").isNull();
        tx.commit();
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("one");
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("two");

        producer.send(tx.createTextMessage("never"));
        tx.rollback();
        producer.send(tx.createTextMessage("three"));
        tx.commit();
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("three");
        assertThat(consumer.receive(300)).isNull();
    }

    @Test
    void receivesAreAcknowledgedAtCommitAndComeAgainAfterRollback() throws Exception {
        Connection c = broker.jms();
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = plain.createQueue(id("tx-receive"));
        plain.createProducer(q).send(plain.createTextMessage("work"));

        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer consumer = tx.createConsumer(q);
        TextMessage first = (TextMessage) consumer.receive(WAIT_MS);
        assertThat(first.getText()).isEqualTo("work");
        tx.rollback();
        TextMessage again = (TextMessage) consumer.receive(WAIT_MS);
        assertThat(again.getText()).isEqualTo("work");
        assertThat(again.getJMSRedelivered()).isTrue();
        tx.commit();
        consumer.close();

        // acknowledged by the commit: a new consumer finds nothing
        assertThat(plain.createConsumer(q).receive(500)).isNull();
    }

    @Test
    void aTransactionEndsWithItsConnection() throws Exception {
        Connection c = broker.jms();
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        Queue q = tx.createQueue(id("tx-closed"));
        tx.createProducer(q).send(tx.createTextMessage("uncommitted"));
        c.close();
        Session other = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThat(other.createConsumer(q).receive(500)).isNull();
    }
}
