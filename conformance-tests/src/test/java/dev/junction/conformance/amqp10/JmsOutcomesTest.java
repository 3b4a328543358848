package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import jakarta.jms.Connection;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Outcomes and refusals over AMQP 1.0 (docs/amqp10.md, "Flow and settlement"): missing queues and exchanges
 * detach the link with {@code amqp:not-found}; an unroutable message is {@code released}; a consumer's
 * {@code rejected} dead-letters and {@code released} requeues (transactions: JmsTransactionTest; subscriptions and
 * selectors: JmsSubscriptionTest); temporary
 * queues serve request/reply; pre-settled transfers and drained (prefetch 0) consumers work.
 */
class JmsOutcomesTest {
    private static final long WAIT_MS = 15_000;
    /** Qpid JMS's per-message outcome for client acknowledgement (its JMS_AMQP_ACK_TYPE extension). */
    private static final String ACK_TYPE = "JMS_AMQP_ACK_TYPE";
    private static final int REJECTED = 2;
    private static final int RELEASED = 3;
    private static final int MODIFIED_FAILED = 4;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void missingQueuesAndExchangesAreNotFound() throws Exception {
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThatThrownBy(() -> s.createProducer(s.createQueue("/queues/" + id("missing"))))
                .isInstanceOf(InvalidDestinationException.class);
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("/amq/queue/" + id("missing"))))
                .isInstanceOf(InvalidDestinationException.class);
        assertThatThrownBy(() -> s.createProducer(s.createQueue("/exchanges/" + id("missing") + "/key")))
                .isInstanceOf(InvalidDestinationException.class);
        assertThatThrownBy(() -> s.createProducer(s.createQueue("/no/such/form")))
                .isInstanceOf(JMSException.class);
    }

    @Test
    void anUnroutablePersistentMessageIsNotAccepted() throws Exception {
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("/exchanges/amq.direct/" + id("nobody")));
        assertThatThrownBy(() -> p.send(s.createTextMessage("lost")))
                .isInstanceOf(JMSException.class);
    }

    @Test
    void rejectedDeadLettersAndReleasedRequeues() throws Exception {
        Channel amqp = broker.amqpChannel();
        String dlq = amqp.queueDeclare(id("dlq"), false, false, true, null).getQueue();
        String q = amqp.queueDeclare(id("work"), false, false, false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq)).getQueue();
        Session s = broker.jms().createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue work = s.createQueue("/queues/" + q);
        MessageProducer p = s.createProducer(work);
        p.send(s.createTextMessage("bad"));
        p.send(s.createTextMessage("retry"));
        MessageConsumer consumer = s.createConsumer(work);

        Message bad = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) bad).getText()).isEqualTo("bad");
        bad.setIntProperty(ACK_TYPE, REJECTED);
        bad.acknowledge();
        assertThat(new String(Amqp10Support.poll(amqp, dlq).getBody(), StandardCharsets.UTF_8)).isEqualTo("bad");

        Message retry = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) retry).getText()).isEqualTo("retry");
        retry.setIntProperty(ACK_TYPE, RELEASED);
        retry.acknowledge();
        Message again = consumer.receive(WAIT_MS);
        assertThat(((TextMessage) again).getText()).isEqualTo("retry");
        // released: the message is as it was, its delivery-count not incremented [AMQP 1.0 part 3 section 3.4.4]
        assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
        again.acknowledge();
    }

    /**
     * Only a failed delivery counts: {@code modified} with delivery-failed increments the delivery-count [AMQP 1.0
     * part 3 section 3.4.5], {@code released} MUST NOT [section 3.4.4] (as in RabbitMQ 4), so JMSXDeliveryCount goes
     * 1, 2 (after MODIFIED_FAILED), and stays 2 after RELEASED.
     */
    @Test
    void modifiedFailedCountsTheDeliveryAndReleasedDoesNot() throws Exception {
        Session s = broker.jms().createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue work = s.createQueue(id("counted"));
        s.createProducer(work).send(s.createTextMessage("again"));
        MessageConsumer consumer = s.createConsumer(work);
        Message first = consumer.receive(WAIT_MS);
        assertThat(first.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
        first.setIntProperty(ACK_TYPE, MODIFIED_FAILED);
        first.acknowledge();
        Message second = consumer.receive(WAIT_MS);
        assertThat(second.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
        second.setIntProperty(ACK_TYPE, RELEASED);
        second.acknowledge();
        Message third = consumer.receive(WAIT_MS);
        assertThat(third.getIntProperty("JMSXDeliveryCount")).as("released does not count").isEqualTo(2);
        assertThat(third.getJMSRedelivered()).isTrue();
        third.acknowledge();
    }

    @Test
    void selectorsAreRefusedClearly() throws Exception {
        Connection c = broker.jms();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(id("selected"));
        s.createProducer(q).close(); // declares it
        assertThatThrownBy(() -> s.createConsumer(q, "color = 'red'"))
                .isInstanceOf(JMSException.class);
        // the connection is still usable
        s.createProducer(q).send(s.createTextMessage("fine"));
        assertThat(((TextMessage) s.createConsumer(q).receive(WAIT_MS)).getText()).isEqualTo("fine");
    }

    @Test
    void aQueueBrowserTakesNothingAway() throws Exception {
        Session s = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(id("browsed"));
        s.createProducer(q).send(s.createTextMessage("keep me"));
        try {
            var browsing = s.createBrowser(q).getEnumeration();
            assertThat(browsing.hasMoreElements()).as("browsing is refused, so nothing is seen").isFalse();
        } catch (JMSException refused) {
            // the refusal may also surface as an exception: either way the message must stay in the queue
        }
        assertThat(((TextMessage) s.createConsumer(q).receive(WAIT_MS)).getText()).isEqualTo("keep me");
    }

    @Test
    void temporaryQueuesServeRequestAndReply() throws Exception {
        Session client = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        Session server = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue requests = client.createQueue(id("requests"));
        TemporaryQueue replies = client.createTemporaryQueue();
        MessageConsumer answers = client.createConsumer(replies);
        MessageConsumer incoming = server.createConsumer(requests);
        TextMessage request = client.createTextMessage("ping");
        request.setJMSReplyTo(replies);
        client.createProducer(requests).send(request);

        Message got = incoming.receive(WAIT_MS);
        assertThat(((TextMessage) got).getText()).isEqualTo("ping");
        TextMessage reply = server.createTextMessage("pong");
        reply.setJMSCorrelationID(got.getJMSMessageID());
        server.createProducer(got.getJMSReplyTo()).send(reply);

        Message answer = answers.receive(WAIT_MS);
        assertThat(((TextMessage) answer).getText()).isEqualTo("pong");
        assertThat(answer.getJMSCorrelationID()).isEqualTo(request.getJMSMessageID());
    }

    @Test
    void presettledTransfersBothWays() throws Exception {
        Connection c = broker.jms("guest", "guest", "jms.presettlePolicy.presettleAll=true");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(id("presettled"));
        MessageConsumer consumer = s.createConsumer(q);
        MessageProducer p = s.createProducer(q);
        for (int i = 0; i < 50; i++) {
            p.send(s.createTextMessage("m" + i));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("m" + i);
        }
    }

    @Test
    void aConsumerWithoutPrefetchPullsWithDrain() throws Exception {
        Connection c = broker.jms("guest", "guest", "jms.prefetchPolicy.all=0");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(id("pull"));
        MessageConsumer consumer = s.createConsumer(q);
        assertThat(consumer.receiveNoWait()).isNull();
        s.createProducer(q).send(s.createTextMessage("pulled"));
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("pulled");
        assertThat(consumer.receive(100)).isNull();
    }
}
