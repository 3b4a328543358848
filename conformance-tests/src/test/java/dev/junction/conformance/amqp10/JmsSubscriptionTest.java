package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JMS durable and shared subscriptions with Qpid JMS (docs/amqp10.md, "Decisions"): named links on topic
 * addresses, each subscription a queue of its own; selectors stay refused.
 */
class JmsSubscriptionTest {
    private static final long WAIT_MS = 15_000;
    private static final long NOTHING_MS = 500;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    private static Session session(Connection c) throws JMSException {
        return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    private static void publish(Topic topic, String... texts) throws JMSException {
        Session s = session(broker.jms());
        MessageProducer p = s.createProducer(topic);
        for (String text : texts) {
            p.send(s.createTextMessage(text));
        }
    }

    /**
     * Publishes where no subscription may be bound, and waits for the outcome: an unroutable message is released,
     * which a synchronous send reports as an error (and a send that returned means no queue can still get it).
     */
    private static void publishToNobody(Topic topic, String text) throws JMSException {
        Session s = session(broker.jms("guest", "guest", "jms.forceSyncSend=true"));
        MessageProducer p = s.createProducer(topic);
        p.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        assertThatThrownBy(() -> p.send(s.createTextMessage(text))).as("released: no subscription bound")
                .isInstanceOf(JMSException.class);
    }

    private static String text(MessageConsumer c) throws JMSException {
        Message m = c.receive(WAIT_MS);
        assertThat(m).as("a message within %d ms", WAIT_MS).isNotNull();
        return ((TextMessage) m).getText();
    }

    @Test
    void aDurableSubscriptionKeepsWhatIsPublishedWhileNoConsumerIsAttached() throws Exception {
        String client = id("client");
        Topic topic = session(broker.jms()).createTopic(id("news"));
        Connection first = broker.jms("guest", "guest", "jms.clientID=" + client);
        session(first).createDurableConsumer(topic, "sub").close();
        first.close();
        publish(topic, "one", "two");

        Connection again = broker.jms("guest", "guest", "jms.clientID=" + client);
        Session s = session(again);
        MessageConsumer consumer = s.createDurableConsumer(topic, "sub");
        assertThat(text(consumer)).isEqualTo("one");
        assertThat(text(consumer)).isEqualTo("two");
        consumer.close();
        s.unsubscribe("sub");

        publishToNobody(topic, "after");
        MessageConsumer fresh = s.createDurableConsumer(topic, "sub");
        assertThat(fresh.receive(NOTHING_MS)).as("unsubscribe deleted the old subscription").isNull();
        fresh.close();
        s.unsubscribe("sub");
    }

    @Test
    void unsubscribingFromNoSubscriptionFails() throws Exception {
        Session s = session(broker.jms("guest", "guest", "jms.clientID=" + id("client")));
        assertThatThrownBy(() -> s.unsubscribe("nothing-here")).isInstanceOf(JMSException.class);
    }

    @Test
    void anUnsharedDurableSubscriptionTakesOneConsumerAtATime() throws Exception {
        String client = id("client");
        Topic topic = session(broker.jms()).createTopic(id("news"));
        Session first = session(broker.jms("guest", "guest", "jms.clientID=" + client));
        MessageConsumer active = first.createDurableConsumer(topic, "sub");
        Session second = session(broker.jms("guest", "guest", "jms.clientID=" + client));
        assertThatThrownBy(() -> second.createDurableConsumer(topic, "sub")).isInstanceOf(JMSException.class);
        assertThatThrownBy(() -> second.unsubscribe("sub")).as("in use").isInstanceOf(JMSException.class);
        active.close();
        first.unsubscribe("sub");
    }

    @Test
    void aDurableSubscriptionOnAnotherTopicReplacesTheOldOne() throws Exception {
        String client = id("client");
        Session s = session(broker.jms("guest", "guest", "jms.clientID=" + client));
        Topic oldTopic = s.createTopic(id("old"));
        Topic newTopic = s.createTopic(id("new"));
        s.createDurableConsumer(oldTopic, "sub").close();
        publish(oldTopic, "stale");
        // the move is refused while the queue still counts a consumer, and the close is taken asynchronously
        awaitNoConsumer("amqp10-sub." + client + ".sub");
        MessageConsumer consumer = s.createDurableConsumer(newTopic, "sub");
        assertThat(consumer.receive(NOTHING_MS)).as("the old topic's messages went with it").isNull();
        publishToNobody(oldTopic, "not bound any more");
        publish(newTopic, "fresh");
        assertThat(text(consumer)).isEqualTo("fresh");
        assertThat(consumer.receive(NOTHING_MS)).isNull();
        consumer.close();
        s.unsubscribe("sub");
    }

    @Test
    void aSharedDurableSubscriptionSplitsItsMessagesAndKeepsThemWithoutConsumers() throws Exception {
        Topic topic = session(broker.jms()).createTopic(id("work"));
        String name = id("shared");
        // no client id: a global subscription, shared by any connection
        Session a = session(broker.jms());
        Session b = session(broker.jms());
        MessageConsumer ca = a.createSharedDurableConsumer(topic, name);
        MessageConsumer cb = b.createSharedDurableConsumer(topic, name);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            texts.add("job " + i);
        }
        publish(topic, texts.toArray(String[]::new));
        Set<String> got = new HashSet<>();
        int fromA = drain(ca, got);
        int fromB = drain(cb, got);
        // each message once, over both consumers (how they share depends on when each consumer's credit came)
        assertThat(fromA + fromB).isEqualTo(10);
        assertThat(got).containsExactlyInAnyOrderElementsOf(texts);
        ca.close();
        cb.close();

        publish(topic, "kept");
        MessageConsumer back = a.createSharedDurableConsumer(topic, name);
        assertThat(text(back)).isEqualTo("kept");
        back.close();
        a.unsubscribe(name);
    }

    private static int drain(MessageConsumer c, Set<String> into) throws JMSException {
        int n = 0;
        for (Message m = c.receive(NOTHING_MS); m != null; m = c.receive(NOTHING_MS)) {
            into.add(((TextMessage) m).getText());
            n++;
        }
        return n;
    }

    @Test
    void aSharedNonDurableSubscriptionEndsWithItsLastConsumer() throws Exception {
        Topic topic = session(broker.jms()).createTopic(id("ticks"));
        String name = id("volatile");
        Session a = session(broker.jms());
        Session b = session(broker.jms());
        MessageConsumer ca = a.createSharedConsumer(topic, name);
        MessageConsumer cb = b.createSharedConsumer(topic, name);
        publish(topic, "1", "2", "3", "4");
        Set<String> got = new HashSet<>();
        assertThat(drain(ca, got) + drain(cb, got)).isEqualTo(4);
        ca.close();
        cb.close();
        // the queue goes with its last consumer, once the queue has taken the cancellations
        awaitGone("amqp10-sub-global." + name);
        publishToNobody(topic, "nobody listens");
        MessageConsumer later = a.createSharedConsumer(topic, name);
        assertThat(later.receive(NOTHING_MS)).as("a new subscription, not the old one").isNull();
    }

    private static void awaitNoConsumer(String queue) throws Exception {
        for (int i = 0; i < 250 && broker.amqpChannel().queueDeclarePassive(queue).getConsumerCount() > 0; i++) {
            Thread.sleep(20);
        }
    }

    private static void awaitGone(String queue) throws Exception {
        for (int i = 0; i < 250; i++) {
            try {
                broker.amqpChannel().queueDeclarePassive(queue);
            } catch (java.io.IOException notFound) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("queue " + queue + " is still there");
    }

    @Test
    void selectorsAreRefusedClearlyAndPlainTopicConsumersWork() throws Exception {
        Session s = session(broker.jms());
        Topic topic = s.createTopic(id("news"));
        assertThatThrownBy(() -> s.createConsumer(topic, "region = 'eu'")).isInstanceOf(JMSException.class);
        assertThatThrownBy(() -> s.createConsumer(s.createQueue(id("q")), "region = 'eu'"))
                .isInstanceOf(JMSException.class);
        MessageConsumer plain = s.createConsumer(topic);
        s.createProducer(topic).send(s.createTextMessage("headline"));
        assertThat(text(plain)).isEqualTo("headline");
    }
}
