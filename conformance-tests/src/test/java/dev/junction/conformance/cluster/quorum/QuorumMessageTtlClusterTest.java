package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * x-message-ttl on quorum queues in a cluster of three brokers (one JVM), with the stock AMQP 0-9-1 client.
 * RabbitMQ "Time-To-Live and Expiration": a message that has been in the queue longer than x-message-ttl is not
 * delivered (nor returned by basic.get); with a dead-letter exchange it is dead-lettered with reason
 * {@code expired}. The queue judges it from the times its log carries, so every replica drops the same messages.
 * As RabbitMQ's quorum queues, it expires on a timer too: an idle queue's message leaves once its TTL has passed.
 * A message's own TTL (the {@code expiration} property) applies too, as on RabbitMQ's quorum queues since 3.10.
 * A queue's own TTL, {@code x-expires}, deletes it on every node once unused for that long.
 * One cluster for the class; each test has queues of its own, declared once.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumMessageTtlClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final int TTL_MS = 1_000;

    private QuorumCluster3 cluster;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        Map<String, Map<String, Object>> queues = Map.of(
                "ttl.dlx", Map.of("x-message-ttl", TTL_MS, "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", "ttl.dead"),
                "ttl.dead", Map.of(),
                "ttl.get", Map.of("x-message-ttl", TTL_MS),
                "ttl.idle", Map.of("x-message-ttl", 500, "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", "ttl.idle.dead"),
                "ttl.idle.dead", Map.of(),
                "ttl.own", Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ttl.own.dead"),
                "ttl.own.dead", Map.of());
        cluster.declareQuorumQueues("n1", queues, ch -> { });
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void publish(String node, String queue, String... bodies) throws Exception {
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            for (String b : bodies) {
                ch.basicPublish("", queue, PERSISTENT, b.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    /**
     * Two messages outlive the TTL before a third is published: a client of n2 gets only the third, and the two
     * arrive at the dead-letter queue with x-death reason expired.
     */
    @Test
    void messagesPastTheTtlAreDeadLetteredExpiredAndNotDelivered() throws Exception {
        publish("n1", "ttl.dlx", "m0", "m1");
        Thread.sleep(TTL_MS + 500);
        publish("n1", "ttl.dlx", "m2");
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            GetResponse r = ch.basicGet("ttl.dlx", true);
            assertThat(r).as("the unexpired message").isNotNull();
            assertThat(body(r)).isEqualTo("m2");
            assertThat(ch.basicGet("ttl.dlx", true)).isNull();
        }
        try (Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            List<GetResponse> dead = new ArrayList<>();
            QuorumCluster3.await("two dead letters", () -> {
                GetResponse r = ch.basicGet("ttl.dead", true);
                if (r != null) {
                    dead.add(r);
                }
                return dead.size() == 2;
            });
            assertThat(dead).extracting(QuorumMessageTtlClusterTest::body).containsExactly("m0", "m1");
            for (GetResponse r : dead) {
                assertThat(String.valueOf(r.getProps().getHeaders().get("x-death"))).contains("expired")
                        .contains("ttl.dlx");
            }
        }
    }

    /**
     * RabbitMQ's quorum queues expire a message on a timer once it is at the head and past x-message-ttl: with
     * nothing more published to the queue and nobody consuming it, its one message still arrives at the dead-letter
     * queue (x-death reason expired), and no node counts it as ready any more.
     */
    @Test
    void anIdleQueuesMessageIsDeadLetteredOnceItsTtlPassesWithoutAnotherCommand() throws Exception {
        publish("n1", "ttl.idle", "idle");
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            GetResponse[] dead = new GetResponse[1];
            // A hang guard only: the bound says nothing about how soon it should arrive.
            QuorumCluster3.await("the expired message dead-lettered", () -> {
                dead[0] = ch.basicGet("ttl.idle.dead", true);
                return dead[0] != null;
            });
            assertThat(body(dead[0])).isEqualTo("idle");
            assertThat(String.valueOf(dead[0].getProps().getHeaders().get("x-death"))).contains("expired")
                    .contains("ttl.idle");
            assertThat(ch.basicGet("ttl.idle.dead", true)).as("dead-lettered once").isNull();
        }
        for (String node : List.of("n1", "n2", "n3")) {
            try (Connection c = cluster.connect(node)) {
                Channel ch = c.createChannel();
                QuorumCluster3.await("no ready message on " + node,
                        () -> ch.queueDeclarePassive("ttl.idle").getMessageCount() == 0);
            }
        }
    }

    /**
     * RabbitMQ "Time-To-Live and Expiration", per-message TTL (quorum queues since 3.10): a message published with
     * expiration "500" to a queue without x-message-ttl, and nobody consuming it, is dead-lettered with reason
     * expired once its TTL has passed at the head of the queue; a client of another node finds it there.
     */
    @Test
    void aMessageWithAnExpirationIsDeadLetteredExpired() throws Exception {
        try (Connection c = cluster.connect("n1")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", "ttl.own", PERSISTENT.builder().expiration("500").build(),
                    "own".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(30_000);
        }
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            GetResponse[] dead = new GetResponse[1];
            // A hang guard only: the bound says nothing about how soon it should arrive.
            QuorumCluster3.await("the message dead-lettered by its own TTL", () -> {
                dead[0] = ch.basicGet("ttl.own.dead", true);
                return dead[0] != null;
            });
            assertThat(body(dead[0])).isEqualTo("own");
            assertThat(String.valueOf(dead[0].getProps().getHeaders().get("x-death"))).contains("expired")
                    .contains("ttl.own");
            assertThat(ch.basicGet("ttl.own", true)).as("gone from the queue").isNull();
        }
    }

    /** basic.get on another node after the TTL passed: get-empty, the message expired. */
    @Test
    void aGetAfterTheTtlFindsNothing() throws Exception {
        publish("n1", "ttl.get", "old");
        Thread.sleep(TTL_MS + 500);
        try (Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            assertThat(ch.basicGet("ttl.get", true)).as("basic.get-empty").isNull();
        }
    }

    /**
     * RabbitMQ "Time-To-Live and Expiration", Queue TTL: a queue unused for its {@code x-expires} (no consumer, no
     * redeclaration, no basic.get) is deleted, and one in use is not. Two queues with the same period, the used one
     * declared first with a consumer on n1: once the unused one is gone from every node its period has passed for
     * both, and the used one is still there on every node and delivers a message published on n3. Once its
     * consumer is cancelled it goes too. On the code before this each node dropped its own copy of both after the
     * period, consumer or not.
     */
    @Test
    void xExpiresDeletesAnUnusedQueueEverywhereAndKeepsOneWithAConsumer() throws Exception {
        Map<String, Object> expires = Map.of("x-queue-type", "quorum", "x-expires", 2000);
        try (Connection c1 = cluster.connect("n1")) {
            Channel ch = c1.createChannel();
            ch.queueDeclare("exp.used", true, false, false, expires);
            Bodies consumer = new Bodies(ch);
            ch.basicConsume("exp.used", true, consumer);
            c1.createChannel().queueDeclare("exp.idle", true, false, false, expires);

            for (String node : QuorumCluster3.IDS) {
                QuorumCluster3.await("exp.idle gone on " + node, () -> !cluster.exists(node, "exp.idle"));
            }
            for (String node : QuorumCluster3.IDS) {
                assertThat(cluster.exists(node, "exp.used")).as("exp.used, in use, on " + node).isTrue();
            }
            publish("n3", "exp.used", "still here");
            QuorumCluster3.await("the message on n1's consumer", () -> consumer.bodies().contains("still here"));

            ch.basicCancel(consumer.getConsumerTag());
            for (String node : QuorumCluster3.IDS) {
                QuorumCluster3.await("exp.used gone on " + node + " once unused",
                        () -> !cluster.exists(node, "exp.used"));
            }
        }
    }

    /**
     * RabbitMQ "Time-To-Live and Expiration": redeclaring a queue renews its {@code x-expires} lease, on whichever
     * node. Declared on n1 with a period of 3 s and one message in it, then declared again on n2 (which has it
     * already) every half second for 7 s: the queue is still the same one afterwards, holding its message, as a
     * client of n3 sees; once the redeclarations stop it goes from every node. Before, a redeclaration on a node that
     * had the queue did not reach its log, the log deleted it after 3 s and the next redeclaration made an empty one.
     */
    @Test
    void aRedeclarationOnAnotherNodeRenewsXExpires() throws Exception {
        Map<String, Object> expires = Map.of("x-queue-type", "quorum", "x-expires", 3000);
        try (Connection c1 = cluster.connect("n1"); Connection c2 = cluster.connect("n2")) {
            Channel ch = c1.createChannel();
            ch.queueDeclare("exp.renewed", true, false, false, expires);
            publish("n1", "exp.renewed", "kept");
            QuorumCluster3.await("exp.renewed on n2", () -> cluster.exists("n2", "exp.renewed"));
            Channel again = c2.createChannel();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
            while (System.nanoTime() < until) {
                again.queueDeclare("exp.renewed", true, false, false, expires);
                Thread.sleep(500);
            }
            try (Connection c3 = cluster.connect("n3")) {
                assertThat(c3.createChannel().queueDeclarePassive("exp.renewed").getMessageCount())
                        .as("the queue declared first, with its message").isEqualTo(1);
            }
            for (String node : QuorumCluster3.IDS) {
                QuorumCluster3.await("exp.renewed gone on " + node + " once not declared again",
                        () -> !cluster.exists(node, "exp.renewed"));
            }
        }
    }

    /** A consumer that keeps the bodies it was given (auto-ack). */
    private static final class Bodies extends DefaultConsumer {
        private final List<String> bodies = new ArrayList<>();

        Bodies(Channel ch) {
            super(ch);
        }

        @Override
        public synchronized void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
            bodies.add(new String(body, StandardCharsets.UTF_8));
        }

        synchronized List<String> bodies() {
            return List.copyOf(bodies);
        }
    }
}
