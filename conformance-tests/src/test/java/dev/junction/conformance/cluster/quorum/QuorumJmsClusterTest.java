package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMQP 1.0 links to replicated quorum queues, driven by the stock Apache Qpid JMS client against three brokers in
 * one JVM: a JMS producer on one node and a consumer on another, both on RabbitMQ 4's {@code /queues/:queue}
 * address. A persistent JMS send waits for the broker's {@code accepted} outcome [AMQP 1.0 part 3 section 3.4.2],
 * which a quorum queue gives once the message is committed in its group, so a message accepted by a node is still
 * there after that node stops (RabbitMQ "Quorum Queues": a message is confirmed once a majority has it). A JMS
 * {@code recover} releases the unacknowledged message, which comes again flagged redelivered [JMS 2.0 section
 * 6.2.10]. A durable subscription is one quorum queue, reached from every node. One cluster for the class; the last
 * test stops a node.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuorumJmsClusterTest {
    private static final long WAIT_MS = 30_000;

    private QuorumCluster3 cluster;
    private final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        cluster.declareQuorumQueues("n1", Map.of("jms.order", Map.of(), "jms.recover", Map.of(),
                "jms.survive", Map.of(), "jms.returned", Map.of()), ch -> { });
    }

    @AfterAll
    void stop() {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (JMSException | RuntimeException e) {
                // the node went first
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Connection jms(String node) throws JMSException {
        return jms(node, null);
    }

    /** A connection to {@code node} with JMS client id {@code clientId} (none when null). */
    private Connection jms(String node, String clientId) throws JMSException {
        String uri = "amqp://127.0.0.1:" + cluster.node(node).address("amqp").getPort();
        Connection c = new JmsConnectionFactory("guest", "guest", uri).createConnection();
        connections.add(c);
        if (clientId != null) {
            c.setClientID(clientId);
        }
        c.start();
        return c;
    }

    /** Persistent sends to a JMS topic on {@code node}: each returns once the broker accepted it. */
    private void publish(String node, String topic, String prefix, int count) throws JMSException {
        Connection c = jms(node);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createTopic(topic));
        for (int i = 0; i < count; i++) {
            p.send(s.createTextMessage(prefix + i), DeliveryMode.PERSISTENT, 4, 0);
        }
        c.close();
    }

    private static void receive(MessageConsumer consumer, String... texts) throws JMSException {
        for (String text : texts) {
            Message m = consumer.receive(WAIT_MS);
            assertThat(m).as("message '%s'", text).isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo(text);
        }
    }

    private void send(String node, String queue, int count) throws JMSException {
        Connection c = jms(node);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("/queues/" + queue));
        for (int i = 0; i < count; i++) {
            p.send(s.createTextMessage("m" + i), DeliveryMode.PERSISTENT, 4, 0); // returns once accepted
        }
        c.close();
    }

    @Test
    @Order(1)
    void aJmsProducerOnOneNodeReachesAJmsConsumerOnAnotherInOrder() throws Exception {
        send("n2", "jms.order", 50);
        Session s = jms("n3").createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/jms.order"));
        for (int i = 0; i < 50; i++) {
            Message m = consumer.receive(WAIT_MS);
            assertThat(m).as("message %d", i).isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo("m" + i);
            assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
            assertThat(m.getJMSRedelivered()).isFalse();
        }
        assertThat(consumer.receive(500)).isNull();
    }

    @Test
    @Order(2)
    void aRecoveredMessageComesAgainFlaggedRedelivered() throws Exception {
        send("n1", "jms.recover", 1);
        Session s = jms("n3").createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/jms.recover"));
        Message first = consumer.receive(WAIT_MS);
        assertThat(first).isNotNull();
        assertThat(first.getJMSRedelivered()).isFalse();
        s.recover();
        Message again = consumer.receive(WAIT_MS);
        assertThat(again).isNotNull();
        assertThat(((TextMessage) again).getText()).isEqualTo("m0");
        assertThat(again.getJMSRedelivered()).isTrue();
        again.acknowledge();
        consumer.close();

        // acknowledged: gone for every consumer, on any node
        Session other = jms("n2").createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = other.createQueue("/queues/jms.recover");
        assertThat(other.createConsumer(q).receive(1000)).isNull();
    }

    /**
     * A message its consumer settled as a failed delivery (Qpid JMS's ack type MODIFIED_FAILED: the outcome
     * {@code modified} with delivery-failed) comes again with the header's {@code delivery-count} 1 [AMQP 1.0 part 3
     * section 3.2.1: the number of unsuccessful previous attempts], which Qpid JMS shows as {@code JMSRedelivered} and
     * {@code JMSXDeliveryCount} 2 [JMS 2.0 section 3.5.11]. A quorum queue's log counts the earlier returns where a
     * classic queue's count includes this delivery; before the two were made alike, the first return of a quorum
     * queue's message reached AMQP 1.0 as no return at all (not redelivered, count 1).
     */
    @Test
    @Order(2)
    void aFailedDeliveryComesAgainWithItsDeliveryCount() throws Exception {
        send("n1", "jms.returned", 1);
        Session s = jms("n3").createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/jms.returned"));
        Message first = consumer.receive(WAIT_MS);
        assertThat(first).as("the first delivery").isNotNull();
        first.setIntProperty("JMS_AMQP_ACK_TYPE", 4); // MODIFIED_FAILED
        first.acknowledge();
        Message again = consumer.receive(WAIT_MS);
        assertThat(again).as("the message again").isNotNull();
        assertThat(again.getJMSRedelivered()).as("JMSRedelivered").isTrue();
        assertThat(again.getIntProperty("JMSXDeliveryCount")).as("JMSXDeliveryCount").isEqualTo(2);
        again.setIntProperty("JMS_AMQP_ACK_TYPE", 1); // ACCEPTED
        again.acknowledge();
        consumer.close();
    }

    /**
     * A JMS durable subscription (Qpid JMS's {@code createDurableConsumer}) in a cluster is one quorum queue, as any
     * durable queue declared without a type (docs/cluster.md, "Default queue type"): a durable subscriber on n1 gets
     * what is published to the topic on n2 and n3; while it is inactive the subscription keeps what n2 publishes
     * (JMS 2.0: a durable subscription retains messages while no consumer is active), and the subscriber attached
     * again on another node gets it.
     * It takes one consumer at a time on every node: a second on n1 is refused ({@code amqp:resource-locked}).
     * Closed there, it is unsubscribed at once (Qpid JMS unsubscribes right after its consumer's detach is answered)
     * and is gone. The node it is attached on again is a follower of the queue's quorum group where there is one
     * among n2 and n3 (n3 unless n3 leads it), so that the unsubscribe is judged on a node whose replica may not
     * have applied the consumer's detach yet.
     *
     * <p>Failed before the subscription followed the default type: its queue was classic, a copy per node, and the
     * subscriber on n1 got none of n2's and n3's messages (the first receive timed out). With the queue quorum but
     * no count in its log, the second subscriber on n1 was accepted (a quorum queue takes no exclusive consumer), and
     * the unsubscribe right after a close was refused with "has an active consumer" (seen in
     * {@code Amqp10AttachClusterTest}, whose durable subscriptions are quorum queues now too).
     */
    @Test
    @Order(3)
    void aDurableSubscriptionIsOneQueueAcrossNodes() throws Exception {
        String client = "jms-durable";
        String topic = "jms.durable.news";
        Connection first = jms("n1", client);
        Session s1 = first.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer subscriber = s1.createDurableConsumer(s1.createTopic(topic), "news");
        publish("n2", topic, "a", 3);
        publish("n3", topic, "b", 3);
        // each send returned once its message was committed in the queue's log: the log's order is the sends'
        receive(subscriber, "a0", "a1", "a2", "b0", "b1", "b2");
        subscriber.close();
        first.close();

        publish("n2", topic, "c", 3);
        String queueLeader = cluster.node("n1").quorum().orElseThrow().leaderOf("/", "amqp10-sub." + client + ".news")
                .orElse("");
        String again = queueLeader.equals("n3") ? "n2" : "n3";
        Session s = jms(again, client).createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic news = s.createTopic(topic);
        MessageConsumer resumed = s.createDurableConsumer(news, "news");
        receive(resumed, "c0", "c1", "c2");
        assertThat(resumed.receive(500)).as("nothing else in the subscription").isNull();
        Session elsewhere = jms("n1", client).createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThatThrownBy(() -> elsewhere.createDurableConsumer(elsewhere.createTopic(topic), "news"))
                .as("a second consumer of the unshared subscription, on another node").isInstanceOf(JMSException.class)
                .hasMessageContaining("has an active consumer");
        resumed.close();
        s.unsubscribe("news");
        assertThatThrownBy(() -> s.unsubscribe("news")).as("unsubscribed").isInstanceOf(
                InvalidDestinationException.class);
    }

    @Test
    @Order(4)
    void messagesANodeAcceptedAreStillThereAfterItStops() throws Exception {
        send("n2", "jms.survive", 20);
        cluster.stop("n2");
        Session s = jms("n3").createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/jms.survive"));
        for (int i = 0; i < 20; i++) {
            Message m = consumer.receive(WAIT_MS); // a new leader of the queue's group may have to be elected first
            assertThat(m).as("message %d", i).isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo("m" + i);
        }
    }
}
