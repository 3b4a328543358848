package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quorum queues in a cluster of three brokers (one JVM) with the stock AMQP 0-9-1 client: declared on one node,
 * published with confirms on one and consumed with manual acks on another, every message once and in order;
 * a requeue counts in {@code x-delivery-count} and {@code x-delivery-limit} dead-letters past it; with the queue
 * group's leader node stopped, publishing and consuming go on on the other two and no confirmed message is lost.
 */
@Timeout(180)
class QuorumQueueClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    @TempDir
    Path dir;
    private QuorumCluster3 cluster;

    /** One delivery as a test sees it. */
    private record Got(String body, long tag, boolean redelivered, Object deliveryCount, Object death) {
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new QuorumCluster3(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static BlockingQueue<Got> consume(Channel ch, String queue, int prefetch) throws Exception {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        ch.basicQos(prefetch);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                Map<String, Object> h = props.getHeaders() == null ? Map.of() : props.getHeaders();
                got.add(new Got(new String(body, StandardCharsets.UTF_8), env.getDeliveryTag(), env.isRedeliver(),
                        h.get("x-delivery-count"), h.get("x-death")));
            }
        });
        return got;
    }

    private static Got next(BlockingQueue<Got> got) throws InterruptedException {
        Got g = got.poll(30, TimeUnit.SECONDS);
        assertThat(g).as("a delivery within 30 s").isNotNull();
        return g;
    }

    private static void publishConfirmed(Channel ch, String queue, int from, int to) throws Exception {
        ch.confirmSelect();
        for (int i = from; i < to; i++) {
            ch.basicPublish("", queue, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(30_000);
    }

    @Test
    void publishedWithConfirmsOnOneNodeAndConsumedOnAnotherOnceAndInOrder() throws Exception {
        cluster.declare("n1", ch -> ch.queueDeclare("qq", true, false, false, Map.of("x-queue-type", "quorum")));
        cluster.awaitEverywhere("qq");
        try (Connection a = cluster.connect("n1"); Connection c = cluster.connect("n3")) {
            publishConfirmed(a.createChannel(), "qq", 0, 200);
            Channel consumer = c.createChannel();
            // declare-ok counts this node's replica, which has applied the commits a moment after the leader.
            QuorumCluster3.await("200 ready on n3", () -> consumer.queueDeclarePassive("qq").getMessageCount() == 200);
            BlockingQueue<Got> got = consume(consumer, "qq", 10);
            for (int i = 0; i < 200; i++) {
                Got g = next(got);
                assertThat(g.body()).isEqualTo("m" + i);
                assertThat(g.redelivered()).isFalse();
                consumer.basicAck(g.tag(), false);
            }
            assertThat(got.poll(500, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
        }
    }

    @Test
    void aRequeueCountsAndTheDeliveryLimitDeadLettersPastIt() throws Exception {
        cluster.declare("n1", ch -> {
            ch.queueDeclare("qq.dlq", true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueDeclare("qq.limited", true, false, false, Map.of("x-queue-type", "quorum",
                    "x-delivery-limit", 2, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "qq.dlq"));
        });
        cluster.awaitEverywhere("qq.limited");
        cluster.awaitEverywhere("qq.dlq");
        try (Connection b = cluster.connect("n2"); Connection c = cluster.connect("n3");
             Connection a = cluster.connect("n1")) {
            publishConfirmed(b.createChannel(), "qq.limited", 0, 1);
            Channel consumer = c.createChannel();
            BlockingQueue<Got> got = consume(consumer, "qq.limited", 1);
            for (long returned = 0; returned <= 2; returned++) {
                Got g = next(got);
                assertThat(g.body()).isEqualTo("m0");
                assertThat(g.redelivered()).isEqualTo(returned > 0);
                assertThat(g.deliveryCount() == null ? 0L : ((Number) g.deliveryCount()).longValue())
                        .isEqualTo(returned);
                consumer.basicNack(g.tag(), false, true);
            }
            BlockingQueue<Got> dead = consume(a.createChannel(), "qq.dlq", 10);
            Got d = next(dead);
            assertThat(d.body()).isEqualTo("m0");
            assertThat(String.valueOf(d.death())).contains("delivery_limit", "qq.limited");
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).as("gone from the limited queue").isNull();
        }
    }

    @Test
    void withTheGroupsLeaderStoppedPublishingAndConsumingGoOnAndNoConfirmedMessageIsLost() throws Exception {
        cluster.declare("n1", ch -> ch.queueDeclare("qq.ha", true, false, false, Map.of("x-queue-type", "quorum")));
        cluster.awaitEverywhere("qq.ha");
        try (Connection a = cluster.connect("n1")) {
            publishConfirmed(a.createChannel(), "qq.ha", 0, 50);
        }
        String leader = cluster.brokers.get("n1").quorum().orElseThrow().leaderOf("/", "qq.ha").orElseThrow();
        cluster.brokers.remove(leader).close();
        List<String> left = new ArrayList<>(cluster.brokers.keySet());
        try (Connection p = cluster.connect(left.get(0)); Connection c = cluster.connect(left.get(1))) {
            publishConfirmed(p.createChannel(), "qq.ha", 50, 100); // confirmed once the new leader committed
            Channel consumer = c.createChannel();
            BlockingQueue<Got> got = consume(consumer, "qq.ha", 20);
            for (int i = 0; i < 100; i++) {
                Got g = next(got);
                assertThat(g.body()).isEqualTo("m" + i);
                consumer.basicAck(g.tag(), false);
            }
            assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void confirmedMessagesSurviveARestartOfEveryNode() throws Exception {
        cluster.declare("n1", ch -> ch.queueDeclare("qq.kept", true, false, false, Map.of("x-queue-type", "quorum")));
        cluster.awaitEverywhere("qq.kept");
        try (Connection b = cluster.connect("n2")) {
            publishConfirmed(b.createChannel(), "qq.kept", 0, 20);
        }
        cluster.restartAll(); // the groups' logs are replayed on every node
        try (Connection c = cluster.connect("n3")) {
            Channel consumer = c.createChannel();
            BlockingQueue<Got> got = consume(consumer, "qq.kept", 5);
            for (int i = 0; i < 20; i++) {
                Got g = next(got);
                assertThat(g.body()).isEqualTo("m" + i);
                consumer.basicAck(g.tag(), false);
            }
            assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
        }
    }
}
