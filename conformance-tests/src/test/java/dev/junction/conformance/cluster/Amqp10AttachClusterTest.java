package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
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
 * What an AMQP 1.0 link's attach declares, on three brokers in one JVM, driven by the stock Qpid JMS client: the
 * broker answers the attach [AMQP 1.0 part 2 section 2.6.3] only once the queue, binding or deletion it made has been
 * committed by the metadata log, so that a client that saw its consumer, producer or durable subscription created
 * on one node finds the queue at once with a passive queue.declare on another, and a JMS unsubscribe answered on one
 * node is gone on another (docs/cluster.md, "Linearizable declarations"). A node that knows no metadata leader
 * refuses such an attach with {@code amqp:internal-error} and creates nothing. One cluster for the class; the last
 * test stops two nodes.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Amqp10AttachClusterTest {
    /**
     * Fresh names, the three kinds of attach in turn: the code that declared on the node first and replicated after
     * answered before the other node had the queue, within the first few.
     */
    private static final int NAMES = 20;
    private static final String CLIENT_ID = "attach-client";
    /** The product's default election timeouts, as the other in-JVM cluster tests use them. */
    private static final int ELECTION_MIN_MS = 1000;
    private static final int ELECTION_MAX_MS = 2000;

    private final Map<String, Broker> brokers = new TreeMap<>();
    /** The node the JMS client attaches on: a follower, so that it loses its leader at once when cut off. */
    private String attaching;
    /** The node asked afterwards. */
    private String asked;
    private Connection jms;
    private com.rabbitmq.client.Connection amqp;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        int[] ports = ClusterPeers.freePortPairs(3);
        for (int i = 0; i < 3; i++) {
            brokers.put(ClusterPeers.IDS[i], Broker.start(ConfigLoader.parse(config(dir, i, ports), "test.yaml")));
        }
        // the metadata group only: what an attach declares goes through it (the quorum groups elect meanwhile)
        QuorumCluster3.await("a metadata leader on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
        String leader = brokers.get(ClusterPeers.IDS[0]).cluster().orElseThrow().status().leader();
        String[] followers = Arrays.stream(ClusterPeers.IDS).filter(id -> !id.equals(leader)).toArray(String[]::new);
        attaching = followers[0];
        asked = followers[1];
        String uri = "amqp://127.0.0.1:" + brokers.get(attaching).address("amqp").getPort();
        JmsConnectionFactory factory = new JmsConnectionFactory("guest", "guest", uri);
        jms = factory.createConnection();
        jms.setClientID(CLIENT_ID);
        jms.start();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(asked).address("amqp").getPort());
        amqp = f.newConnection();
    }

    private static String config(Path dir, int i, int[] ports) {
        String id = ClusterPeers.IDS[i];
        return """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(dir.resolve(id + "/data"))
                + ClusterPeers.section(i, ports, dir.resolve(id + "/raft"), ELECTION_MIN_MS, ELECTION_MAX_MS);
    }

    @AfterAll
    void stop() {
        try {
            if (jms != null) {
                jms.close();
            }
        } catch (JMSException | RuntimeException e) {
            // its node went first
        }
        if (amqp != null) {
            amqp.abort();
        }
        brokers.values().forEach(Broker::close);
    }

    @Test
    @Order(1)
    void whatAnAnsweredAttachDeclaredIsOnAnotherNodeAtOnce() throws Exception {
        Session s = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThat(attaching).isNotEqualTo(asked);
        for (int i = 0; i < NAMES; i++) {
            switch (i % 3) {
                case 0 -> {
                    // a JMS queue's plain name is RabbitMQ 3's /queue/:q, declared durable when missing
                    String consumed = "attach.consumed." + i;
                    s.createConsumer(s.createQueue(consumed));
                    assertFoundOnAnotherNode(consumed);
                }
                case 1 -> {
                    String produced = "attach.produced." + i;
                    s.createProducer(s.createQueue("/queue/" + produced)).close();
                    assertFoundOnAnotherNode(produced);
                }
                default -> durableSubscription(s, i);
            }
        }
    }

    @Test
    @Order(2)
    void aNodeWithoutAMetadataLeaderRefusesTheAttachAndCreatesNothing() throws Exception {
        // a follower first, then the leader: the node left is a follower that then knows no leader, while a leader
        // left alone would first have to notice it lost its majority
        String leader = brokers.get(attaching).cluster().orElseThrow().status().leader();
        Arrays.stream(ClusterPeers.IDS).filter(id -> !id.equals(attaching))
                .sorted(Comparator.comparing(leader::equals))
                .forEach(id -> brokers.remove(id).close());
        QuorumCluster3.await(attaching + " knowing no metadata leader", () -> brokers.get(attaching).cluster()
                .orElseThrow().status().leader().isEmpty());
        Session s = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("attach.cut.consumed")))
                .isInstanceOf(JMSException.class).hasMessageContaining("no leader for the metadata group");
        assertThatThrownBy(() -> s.createProducer(s.createQueue("/queue/attach.cut.produced")))
                .isInstanceOf(JMSException.class).hasMessageContaining("no leader for the metadata group");
        assertThatThrownBy(() -> s.createDurableConsumer(s.createTopic("attach.cut.topic"), "cut"))
                .isInstanceOf(JMSException.class).hasMessageContaining("no leader for the metadata group");
        VirtualHost here = vhost(attaching);
        assertThat(here.queue("attach.cut.consumed")).isEmpty();
        assertThat(here.queue("attach.cut.produced")).isEmpty();
        assertThat(here.queue("amqp10-sub." + CLIENT_ID + ".cut")).isEmpty();
        // the session and connection stay usable: the refusal ended only the link
        assertThatCode(() -> s.createConsumer(s.createQueue("/queues/attach.consumed.0")).close())
                .doesNotThrowAnyException();
    }

    /** A JMS durable subscription: its queue and binding on another node, then gone there once unsubscribed. */
    private void durableSubscription(Session s, int i) throws Exception {
        Topic topic = s.createTopic("attach.topic." + i);
        MessageConsumer subscriber = s.createDurableConsumer(topic, "sub" + i);
        String subscription = "amqp10-sub." + CLIENT_ID + ".sub" + i;
        assertFoundOnAnotherNode(subscription);
        // the passive declare read the log up to the binding, committed before the queue's attach was answered
        assertThat(vhost(asked).bindingsTo(true, subscription)).as("the subscription's binding on " + asked)
                .contains(Binding.toQueue("amq.topic", subscription, topic.getTopicName(), Map.of()));
        subscriber.close();
        s.unsubscribe("sub" + i);
        assertThat(existsOnAnotherNode(subscription)).as("the unsubscribed '" + subscription + "' on " + asked)
                .isFalse();
    }

    private void assertFoundOnAnotherNode(String queue) throws Exception {
        assertThat(existsOnAnotherNode(queue)).as("queue '" + queue + "' on " + asked).isTrue();
    }

    /** A passive queue.declare on the other node: 404 (which closes the channel) when it has no such queue. */
    private boolean existsOnAnotherNode(String queue) throws Exception {
        Channel ch = amqp.createChannel();
        try {
            ch.queueDeclarePassive(queue);
        } catch (IOException notFound) {
            return false;
        }
        ch.close();
        return true;
    }

    private VirtualHost vhost(String node) {
        return brokers.get(node).engine().vhost("/").orElseThrow();
    }
}
