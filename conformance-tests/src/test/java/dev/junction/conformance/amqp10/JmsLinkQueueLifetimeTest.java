package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.Topic;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queues Qpid JMS has the broker make for a link (a temporary queue, a non-durable topic subscriber, a durable
 * or shared subscription) with a stock client, the connection kept open while the test looks at the vhost's
 * queues (docs/amqp10.md, "Decisions"): a refused subscription leaves no queue, whether the permission check or
 * the engine's binding refused it, and a deleted temporary queue goes at once, not with the connection.
 */
class JmsLinkQueueLifetimeTest {
    @RegisterExtension
    static final Amqp10Support broker = LinkQueueFixture.broker();

    private static Session session(String user, String vhost) throws JMSException {
        String options = vhost.equals("/") ? "" : "amqp.vhost=vhost:" + vhost;
        return broker.jms(user, user, options).createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    /** Binding needs read on the exchange (0-9-1's queue.bind), checked before the subscription's queue is made. */
    @Test
    void aSharedDurableSubscriptionWithoutReadOnTheTopicLeavesNoQueue() throws Exception {
        Session s = session("noread", "/");
        Set<String> before = queues("/");
        Topic topic = s.createTopic(id("news"));
        assertThatThrownBy(() -> s.createSharedDurableConsumer(topic, id("audit")))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to exchange 'amq.topic'");
        assertThatThrownBy(() -> s.createSharedConsumer(topic, id("audit")))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to exchange 'amq.topic'");
        assertNoQueueLeft("/", before);
    }

    /**
     * The vhost's binding limit refuses the bind only once the queue exists: it is deleted again. A durable
     * subscription's queue is durable, so it would have outlived the connection too.
     */
    @Test
    void aSubscriptionPastTheBindingLimitLeavesNoQueue() throws Exception {
        Channel ch = broker.amqpChannelIn("restricted");
        String held = ch.queueDeclare(id("held"), false, false, true, null).getQueue();
        ch.queueBind(held, "amq.direct", "held"); // the vhost's one binding
        try {
            Session s = session("guest", "restricted");
            Set<String> before = queues("restricted");
            Topic topic = s.createTopic(id("news"));
            assertThatThrownBy(() -> s.createSharedDurableConsumer(topic, id("audit")))
                    .isInstanceOf(JMSException.class).hasMessageContaining("binding limit");
            assertThatThrownBy(() -> s.createConsumer(topic))
                    .isInstanceOf(JMSException.class).hasMessageContaining("binding limit");
            assertNoQueueLeft("restricted", before);
        } finally {
            ch.queueDelete(held);
        }
    }

    /**
     * {@code TemporaryQueue.delete()} closes the link that made the queue (Qpid JMS's dynamic target, lifetime-policy
     * delete-on-close): the queue goes then [AMQP 1.0 part 3 section 3.5.10], as JMS 2.0 section 6.2.11 says a deleted
     * temporary destination does, while the connection stays open.
     */
    @Test
    void aDeletedTemporaryQueueIsGoneWhileTheConnectionStaysOpen() throws Exception {
        Session s = session("guest", "/");
        Set<String> before = queues("/");
        TemporaryQueue replies = s.createTemporaryQueue();
        MessageConsumer c = s.createConsumer(replies);
        assertThat(queues("/")).hasSize(before.size() + 1);
        c.close();
        replies.delete();
        assertNoQueueLeft("/", before);
        s.createTemporaryQueue(); // the connection is still usable
    }

    private static void assertNoQueueLeft(String vhost, Set<String> before) throws InterruptedException {
        LinkQueueFixture.assertNoQueueLeft(broker, vhost, before);
    }

    private static Set<String> queues(String vhost) {
        return LinkQueueFixture.queues(broker, vhost);
    }
}
