package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.conformance.BrokerConfig;
import dev.junction.routing.queue.Queue;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An attach that needs a queue of its own (a JMS non-durable topic subscriber, a v1 {@code /exchange/:x/:key}
 * source, a JMS temporary queue) and is refused for a permission leaves no queue behind: every right is checked on
 * the server-made name before the queue is made (docs/amqp10.md, "Security"). Such a queue is exclusive to the
 * connection and was never consumed, so without that it stayed until the connection closed. Each test keeps its
 * connection open while it looks at the vhost's queues.
 */
class JmsRefusedAttachTest {
    private static final long WAIT_MS = 15_000;
    /**
     * {@code nobind} may read its own queues but no exchange, so may not bind a subscription's queue; {@code noread} may
     * bind to {@code amq.topic} and {@code amq.direct} but read no queue; {@code nowrite} may not write to the
     * default exchange, which a temporary queue's producer link publishes through.
     */
    private static final String USERS = """
              - name: nobind
                password: nobind
                permissions:
                  "/": { configure: ".*", write: ".*", read: "^own\\\\." }
              - name: noread
                password: noread
                permissions:
                  "/": { configure: ".*", write: ".*", read: "^amq\\\\.(topic|direct)$" }
              - name: nowrite
                password: nowrite
                permissions:
                  "/": { configure: ".*", write: "^amq\\\\.topic$", read: ".*" }
            """;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass(BrokerConfig.standard().withUsers(USERS));

    private static Session session(String user) throws JMSException {
        return broker.jms(user, user, "").createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @Test
    void aTopicSubscriberRefusedTheBindLeavesNoQueue() throws Exception {
        Session s = session("nobind");
        Set<String> before = queues();
        assertThatThrownBy(() -> s.createConsumer(s.createTopic(id("news"))))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to exchange 'amq.topic'");
        assertThat(queues()).as("queues after the refused subscription").isEqualTo(before);
        assertStillUsable(s);
    }

    @Test
    void anExchangeSourceRefusedTheBindLeavesNoQueue() throws Exception {
        Session s = session("nobind");
        Set<String> before = queues();
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("/exchange/amq.direct/" + id("key"))))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to exchange 'amq.direct'");
        assertThat(queues()).as("queues after the refused subscription").isEqualTo(before);
    }

    @Test
    void aTopicSubscriberRefusedTheReadLeavesNoQueue() throws Exception {
        Session s = session("noread");
        Set<String> before = queues();
        assertThatThrownBy(() -> s.createConsumer(s.createTopic(id("news"))))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to queue");
        assertThat(queues()).as("queues after the refused subscription").isEqualTo(before);
    }

    @Test
    void aTemporaryQueueRefusedTheWriteLeavesNoQueue() throws Exception {
        Session s = session("nowrite");
        Set<String> before = queues();
        assertThatThrownBy(s::createTemporaryQueue)
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("write access to exchange 'amq.default'");
        assertThat(queues()).as("queues after the refused temporary queue").isEqualTo(before);
    }

    /** The refusal detached one link only: the same session still consumes where the user may. */
    private static void assertStillUsable(Session s) throws Exception {
        String queue = "own." + id("q");
        MessageConsumer ok = s.createConsumer(s.createQueue(queue));
        Session guest = broker.jms().createSession(false, Session.AUTO_ACKNOWLEDGE);
        guest.createProducer(guest.createQueue(queue)).send(guest.createTextMessage("after"));
        Message m = ok.receive(WAIT_MS);
        assertThat(m).as("a message on the same session after the refusal").isNotNull();
        assertThat(((TextMessage) m).getText()).isEqualTo("after");
        ok.close();
    }

    private static Set<String> queues() {
        Set<String> names = new TreeSet<>();
        for (Queue q : broker.broker().engine().vhost("/").orElseThrow().queues()) {
            names.add(q.name());
        }
        return names;
    }
}
