package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.conformance.BrokerConfig;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A global shared durable subscription (Qpid JMS without client id: the queue {@code amqp10-sub-global.<name>},
 * which any connection may attach to) moved to another topic by a user who lacks a permission the move needs: the
 * attach is refused before anything changes, so the subscription keeps its topic and its backlog for the user who
 * made it (docs/amqp10.md, "Decisions").
 */
class JmsSubscriptionPermissionTest {
    private static final long WAIT_MS = 15_000;
    /**
     * {@code binder} may bind any queue to {@code amq.topic} (write on queues, read on the exchange) but read no
     * queue; {@code topical} may read queues and {@code amq.topic} but not {@code amq.direct}, so may not unbind a
     * queue from it.
     */
    private static final String USERS = """
              - name: binder
                password: binder
                permissions:
                  "/": { configure: ".*", write: ".*", read: "^amq\\\\.topic$" }
              - name: topical
                password: topical
                permissions:
                  "/": { configure: ".*", write: ".*", read: "^amq\\\\.topic$|^amqp10-sub" }
            """;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass(BrokerConfig.standard().withUsers(USERS));

    private static Session session(Connection c) throws JMSException {
        return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @Test
    void aMoveByAUserWhoMayNotReadTheSubscriptionLeavesItsBacklog() throws Exception {
        Session guest = session(broker.jms());
        Topic topic = guest.createTopic(id("orders"));
        assertMoveRefusedAndBacklogKept(guest, topic, "binder", "read access to queue");
    }

    @Test
    void aMoveByAUserWhoMayNotUnbindTheOldTopicLeavesItsBacklog() throws Exception {
        Session guest = session(broker.jms());
        Topic topic = guest.createTopic("/exchange/amq.direct/" + id("orders"));
        assertMoveRefusedAndBacklogKept(guest, topic, "topical", "read access to exchange 'amq.direct'");
    }

    private static void assertMoveRefusedAndBacklogKept(Session guest, Topic topic, String user, String refusal)
            throws Exception {
        String name = id("audit");
        String queue = "amqp10-sub-global." + name;
        guest.createSharedDurableConsumer(topic, name).close();
        guest.createProducer(topic).send(guest.createTextMessage("backlog")); // persistent: sent synchronously
        awaitNoConsumer(queue);

        Session other = session(broker.jms(user, user, ""));
        Topic elsewhere = other.createTopic(id("elsewhere"));
        assertThatThrownBy(() -> other.createSharedDurableConsumer(elsewhere, name))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining(refusal);

        assertThat(broker.amqpChannel().queueDeclarePassive(queue).getMessageCount())
                .as("the refused move purged nothing").isEqualTo(1);
        MessageConsumer back = guest.createSharedDurableConsumer(topic, name);
        Message m = back.receive(WAIT_MS);
        assertThat(m).as("the backlog, still on its topic").isNotNull();
        assertThat(((TextMessage) m).getText()).isEqualTo("backlog");
        back.close();
        awaitNoConsumer(queue);
        guest.unsubscribe(name);
    }

    private static void awaitNoConsumer(String queue) throws Exception {
        for (int i = 0; i < 250 && broker.amqpChannel().queueDeclarePassive(queue).getConsumerCount() > 0; i++) {
            Thread.sleep(20);
        }
    }
}
