package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once dead-lettering survives the loss of the node that republishes (RabbitMQ "Quorum Queues", "Dead
 * Lettering", at-least-once: a dead-lettered message stays in the source quorum queue until its target confirmed
 * it, and a leader change makes the new leader dead-letter it again). Three brokers in one JVM, the stock AMQP 0-9-1
 * client: messages rejected while their dead-letter exchange routes nowhere wait in the source queue; the node
 * leading the queue's group, the only one republishing them, is stopped; once a target queue is bound, the new
 * leader's node delivers every one of them.
 */
@Timeout(240)
class QuorumAtLeastOnceLeaderLossClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final String SOURCE = "loss.src";
    private static final String TARGET = "loss.target";
    private static final String DLX = "loss.dlx";

    private QuorumCluster3 cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theNewLeaderDeadLettersWhatTheStoppedLeaderHadPending(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        cluster.declareQuorumQueues("n1", Map.of(SOURCE, Map.of("x-max-length", 10, "x-overflow", "reject-publish",
                "x-dead-letter-strategy", "at-least-once", "x-dead-letter-exchange", DLX,
                "x-dead-letter-routing-key", TARGET)), ch -> ch.exchangeDeclare(DLX, "direct", true));
        String leader = cluster.node("n1").quorum().orElseThrow().leaderOf("/", SOURCE).orElseThrow();
        List<String> others = new ArrayList<>(List.of(QuorumCluster3.IDS));
        others.remove(leader);

        try (Connection c = cluster.connect(others.get(0))) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            for (int i = 0; i < 5; i++) {
                ch.basicPublish("", SOURCE, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(ch.waitForConfirms(30_000)).isTrue();
            for (int i = 0; i < 5; i++) {
                GetResponse r = ch.basicGet(SOURCE, false);
                assertThat(r).isNotNull();
                ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
            }
        }
        cluster.stop(leader);

        cluster.declare(others.get(1), ch -> {
            ch.queueDeclare(TARGET, true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueBind(TARGET, DLX, TARGET);
        });
        Set<String> arrived = new TreeSet<>();
        try (Connection c = cluster.connect(others.get(0))) {
            Channel ch = c.createChannel();
            QuorumCluster3.await("five dead letters in the target after the leader stopped", () -> {
                GetResponse r = ch.basicGet(TARGET, true);
                if (r != null) {
                    arrived.add(new String(r.getBody(), StandardCharsets.UTF_8));
                }
                return arrived.size() == 5;
            });
        }
        assertThat(arrived).containsExactly("m0", "m1", "m2", "m3", "m4");
    }
}
