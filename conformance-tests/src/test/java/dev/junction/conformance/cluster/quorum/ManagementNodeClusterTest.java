package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import java.nio.file.Path;
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
 * RabbitMQ 4's management node ("HTTP over AMQP", driven by RabbitMQ's own AMQP 1.0 Java client) on three brokers in
 * one JVM: a declaration, binding or deletion it answers with success has been committed by the metadata log, so
 * every node has it; a node without a majority refuses such a change rather than answer for one that another
 * node's log may never hold (docs/cluster.md, "Linearizable declarations"). The last test stops two nodes.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementNodeClusterTest {
    /** A refusal (500) or RabbitMQ's client giving up on the answer. */
    private static final String NO_SUCCESS = "(?s).*(500|Could not get management response).*";

    private QuorumCluster3 cluster;
    private Environment environment;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        environment = new AmqpEnvironmentBuilder().build();
    }

    @AfterAll
    void stop() {
        if (environment != null) {
            environment.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Management management(String node) {
        Connection c = environment.connectionBuilder().host("127.0.0.1")
                .port(cluster.node(node).address("amqp").getPort()).username("guest").password("guest").build();
        return c.management();
    }

    @Test
    @Order(1)
    void whatTheManagementNodeDeclaresIsOnEveryNode() throws Exception {
        Management m = management("n2");
        Management.QueueInfo info = m.queue("mgmt.q").type(Management.QueueType.QUORUM).declare();
        assertThat(info.type()).isEqualTo(Management.QueueType.QUORUM);
        m.exchange("mgmt.x").type(Management.ExchangeType.TOPIC).declare();
        m.binding().sourceExchange("mgmt.x").destinationQueue("mgmt.q").key("k.*").bind();
        for (String node : new String[] {"n1", "n3"}) {
            cluster.declare(node, ch -> {
                ch.queueDeclarePassive("mgmt.q");
                ch.exchangeDeclarePassive("mgmt.x");
            });
        }
        // the binding routes on another node: a publish there reaches the quorum queue
        try (com.rabbitmq.client.Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("mgmt.x", "k.a", null, "routed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(30_000);
        }
        QuorumCluster3.await("the routed message on n1", () -> {
            try (com.rabbitmq.client.Connection c = cluster.connect("n1")) {
                return c.createChannel().basicGet("mgmt.q", true) != null;
            }
        });
    }

    @Test
    @Order(2)
    void aNodeWithoutAMajorityRefusesManagementChanges() {
        Management m = management("n1");
        cluster.stop("n2");
        cluster.stop("n3");
        // Answered with success before, from the node's own state, although no other node would ever have it. Now
        // no success comes: a 500 once the node's metadata client gives up, or first the client's own timeout
        // for a management response (10 s in RabbitMQ's client).
        assertThatThrownBy(() -> m.queue("mgmt.cut").declare(), "a queue declared without a majority")
                .hasMessageMatching(NO_SUCCESS);
        assertThatThrownBy(() -> m.exchange("mgmt.cut.x").type(Management.ExchangeType.FANOUT).declare(),
                "an exchange declared without a majority").hasMessageMatching(NO_SUCCESS);
        assertThatThrownBy(() -> m.binding().sourceExchange("amq.topic").destinationQueue("mgmt.q").key("cut").bind(),
                "a binding made without a majority").hasMessageMatching(NO_SUCCESS);
        assertThat(cluster.node("n1")).isNotNull(); // still running, and answering
    }
}
