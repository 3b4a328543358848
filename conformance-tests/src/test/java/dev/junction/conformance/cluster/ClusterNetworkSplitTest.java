package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's partition test with the network itself split: three broker processes, each in a network namespace of
 * its own ({@link Namespaces}), and one node's Raft link taken down while all three keep running and serving their
 * clients. The two-node side elects leaders and takes writes (declarations, confirmed publishes to the quorum
 * queue); at the same time the cut-off node, CP as RabbitMQ's quorum queues are, refuses them: a declaration gets
 * 541, publishes to the quorum queue are nacked, an MQTT 5 QoS 1 publish gets PUBACK 0x80 and a persistent
 * session's SUBSCRIBE gets SUBACK 0x80. Once the link is back the
 * node catches up by itself: it has what the majority declared, and its consumer gets every confirmed message, in
 * order, and nothing that was never published. Needs root for the namespaces; skipped without.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterNetworkSplitTest {
    private static final String QUEUE = "split.qq";
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    @TempDir
    static Path dir;
    private static Namespaces network;
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Namespaces.available(), "network namespaces need root and iproute2");
        network = new Namespaces(ProcessCluster.IDS);
        cluster = new ProcessCluster(dir, network);
        cluster.declare("n1", ch -> ch.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum")));
        for (String id : ProcessCluster.IDS) {
            cluster.declare(id, ch -> ch.queueDeclarePassive(QUEUE));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (network != null) {
                network.close();
            }
        }
    }

    @Test
    void bothSidesRunTheMajorityTakesWritesTheCutOffNodeRefusesThemAndCatchesUpOnceHealed() throws Exception {
        String alone = cluster.queueLeader(QUEUE); // the queue's leader: its group must elect another
        List<String> majority = new ArrayList<>(List.of(ProcessCluster.IDS));
        majority.remove(alone);
        Connection onAlone = cluster.connect(alone);
        Mqtt5AsyncClient device = Mqtt5Client.builder().identifier("split-device").serverHost(cluster.host(alone))
                .serverPort(cluster.mqttPort(alone)).buildAsync();
        MqttConnects.untilAccepted(() -> device.connectWith().cleanStart(true).simpleAuth().username("guest")
                .password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        device.subscribeWith().topicFilter("split/#").qos(MqttQos.AT_LEAST_ONCE).send().get(60, TimeUnit.SECONDS);
        cluster.declare(alone, ch -> ch.queueBind(QUEUE, "amq.topic", "split.device"));
        // A session that outlives its connection: its subscriptions are durable bindings, replicated.
        Mqtt5AsyncClient persistent = Mqtt5Client.builder().identifier("split-persistent")
                .serverHost(cluster.host(alone)).serverPort(cluster.mqttPort(alone)).buildAsync();
        MqttConnects.untilAccepted(() -> persistent.connectWith().cleanStart(true).sessionExpiryInterval(3600)
                .simpleAuth().username("guest").password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send());

        network.cut(alone);
        Set<String> refusedOrLate = new HashSet<>();
        try {
            // The majority side: a leader of the queue's group and of the metadata group among the two, writes taken.
            try (Connection c = cluster.connect(majority.get(0))) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                for (int i = 0; i < 100; i++) {
                    ch.basicPublish("", QUEUE, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(90_000);
            }
            cluster.declare(majority.get(1), ch -> ch.queueDeclare("split.during", true, false, false, null));

            // The cut-off side, running and connected all along: no write is taken.
            Channel ch = onAlone.createChannel();
            ch.confirmSelect();
            AtomicInteger nacks = new AtomicInteger();
            ch.addConfirmListener((tag, multiple) -> { }, (tag, multiple) -> nacks.incrementAndGet());
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", QUEUE, PERSISTENT, ("cut" + i).getBytes(StandardCharsets.UTF_8));
                refusedOrLate.add("cut" + i);
            }
            CompletableFuture<Mqtt5PublishResult> ack = device.publishWith().topic("split/device")
                    .qos(MqttQos.AT_LEAST_ONCE).payload("cut-mqtt".getBytes(StandardCharsets.UTF_8)).send();
            refusedOrLate.add("cut-mqtt");
            assertThat(PartitionProbes.refusedDeclaration(cluster, alone, "split.refused")).contains("541");
            assertThat(ch.waitForConfirms(120_000)).as("publishes on the cut-off node confirmed").isFalse();
            assertThat(nacks.get()).isPositive();
            assertThat(PartitionProbes.pubAckReason(ack)).as("MQTT 5 PUBACK on the cut-off node")
                    .isEqualTo(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR);
            // A SUBACK promises a subscription the cluster has: the cut-off node cannot give that promise.
            assertThat(PartitionProbes.subAckReason(persistent.subscribeWith().topicFilter("split/later")
                    .qos(MqttQos.AT_LEAST_ONCE).send())).as("MQTT 5 SUBACK of a persistent session on the cut-off node")
                    .isEqualTo(Mqtt5SubAckReasonCode.UNSPECIFIED_ERROR);
        } finally {
            network.heal(alone);
        }

        cluster.awaitCaughtUp(alone);
        cluster.declare(alone, c -> c.queueDeclarePassive("split.during")); // what the majority declared is there
        List<String> got = new ArrayList<>();
        Channel reader = onAlone.createChannel(); // the connection made before the split still works
        BlockingQueue<String> deliveries = PartitionProbes.consume(reader, QUEUE);
        ProcessCluster.await("the majority's 100 messages on the node that was cut off", () -> {
            deliveries.drainTo(got);
            return got.stream().filter(m -> m.matches("m\\d+")).count() >= 100;
        });
        Thread.sleep(500);
        deliveries.drainTo(got);
        List<String> confirmed = got.stream().filter(m -> m.matches("m\\d+")).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("m" + i);
        }
        assertThat(confirmed).as("every confirmed message, once, in order").isEqualTo(expected);
        // A refused publish may have been committed after all (a nack promises nothing); nothing else may appear.
        assertThat(got.stream().filter(m -> !m.matches("m\\d+")).toList()).allMatch(refusedOrLate::contains);
        onAlone.abort();
        device.disconnect();
        persistent.disconnect();
    }
}
