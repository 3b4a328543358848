package dev.junction.conformance.cluster.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.cluster.MqttConnects;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT 5 shared subscriptions in a cluster of three brokers (one JVM), with the stock HiveMQ MQTT 5 client. A share
 * group is one group across the cluster: a message matching {@code $share/g/t/#} goes to only one of the group's
 * sessions wherever they are connected (MQTT 5 section 4.8.2), at the QoS granted to that member [MQTT-4.8.2-3],
 * and the group's queue lives while any member remains on any node.
 */
@Timeout(240)
class MqttSharedSubscriptionClusterTest {
    private static final String SHARED = "$share/g/t/#";
    /** The group queue's name, the same on every node: derived from the group and the filter. */
    private static final String QUEUE = "mqtt.share.g.t/#";
    private static final int N = 60;

    @TempDir
    Path dir;
    private MqttCluster3 cluster;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    /** One PUBLISH as a member got it. */
    private record Got(String member, String body, MqttQos qos) {
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MqttCluster3(dir);
    }

    @AfterEach
    void stop() {
        for (Mqtt5BlockingClient c : clients) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException ignored) {
                // its node stopped
            }
        }
        cluster.close();
    }

    /**
     * Members on nodes 2 and 3, a publisher on node 1 where no member is: each message reaches the group exactly
     * once, and both members take a share (MQTT 5 section 4.8.2). The member on node 2 leaves: the queue stays for
     * the one on node 3, which gets what is published on nodes 1 and 2. When it leaves too, the queue is gone from
     * every node.
     */
    @Test
    void oneGroupAcrossTheClusterEachMessageToOneMemberQueueGoesWithTheLastMember() throws Exception {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient m2 = member("n2", "member-2", got);
        Mqtt5BlockingClient m3 = member("n3", "member-3", got);
        // Each SUBACK came after its binding's commit, and a passive declare on node 1 waits for what was committed
        // before it: once node 1 knows the queue, it routes into it. Not asserted here: a node that never learns of
        // the group (per-node group queues) shows as messages published there that no member gets.
        waitUntilKnown("n1", QUEUE);

        publish("n1", "a", N);
        List<Got> first = drain(got, N);
        assertThat(first).extracting(Got::body).as("every message once, to the group [MQTT 5 section 4.8.2]")
                .containsExactlyInAnyOrderElementsOf(bodies("a", N));
        assertThat(first).extracting(Got::member).as("both members get some").contains("member-2", "member-3");
        assertThat(first).extracting(Got::qos).as("min(QoS 1 published, QoS 1 granted) [MQTT-4.8.2-3]")
                .containsOnly(MqttQos.AT_LEAST_ONCE);

        // Node 2's last member leaves: the queue is in use by node 3's member and stays.
        m2.unsubscribeWith().topicFilter(SHARED).send();
        m2.disconnect();
        Thread.sleep(1_500); // longer than node 2's tries to delete the group queue unless in use
        publish("n1", "b", N);
        publish("n2", "c", N);
        List<Got> second = drain(got, 2 * N);
        List<String> expected = new ArrayList<>(bodies("b", N));
        expected.addAll(bodies("c", N));
        assertThat(second).extracting(Got::body).as("the queue outlived node 2's member")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(second).extracting(Got::member).containsOnly("member-3");

        // The last member in the cluster leaves: the queue goes, on every node.
        m3.disconnect();
        for (String node : new String[] {"n1", "n2", "n3"}) {
            cluster.awaitQueue(node, QUEUE, false);
        }
    }

    /**
     * The deletion a node's last member asks for can reach the log after a member joined elsewhere (the queue's log
     * had no consumer yet when asked). That member is still in the group, so it joins again and keeps receiving (MQTT
     * 5 section 4.8.2). Here the deletion comes through AMQP on another node, which cancels the member's consumer
     * just as that race would.
     */
    @Test
    void aMemberWhoseGroupQueueIsDeletedUnderItJoinsAgain() throws Exception {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        member("n3", "member-3", got);
        waitUntilKnown("n1", QUEUE);
        try (Connection c = cluster.amqp("n1"); Channel ch = c.createChannel()) {
            ch.queueDelete(QUEUE);
        }
        cluster.awaitQueue("n1", QUEUE, true); // declared again by the member's node, and committed
        // Its binding is committed after it: what n1 routes before that finds no group (a full run under load once
        // published in between, and nothing arrived).
        Vhost onN1 = Engine.of(cluster.broker("n1").engine()).vhost("/").orElseThrow();
        QuorumCluster3.await("the group's binding on n1", () -> !onN1.bindingsTo(QUEUE).isEmpty());
        publish("n1", "d", 5);
        assertThat(drain(got, 5)).extracting(Got::body).containsExactlyInAnyOrderElementsOf(bodies("d", 5));
    }

    /**
     * A node cut off from the majority cannot commit the group's queue or binding, so it refuses a shared SUBSCRIBE
     * as it refuses a persistent session's: MQTT 5 SUBACK 0x80 Unspecified error [MQTT-3.9.3-1, MQTT-3.9.3-2].
     */
    @Test
    void aNodeCutOffFromTheMajorityRefusesASharedSubscription() throws Exception {
        Mqtt5BlockingClient c = client("n3", "cut-off");
        c.connectWith().cleanStart(true).send();
        cluster.stop("n1");
        cluster.stop("n2");
        assertThatThrownBy(() -> c.subscribeWith().topicFilter(SHARED).qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.UNSPECIFIED_ERROR));
    }

    /**
     * A persistent session's shared subscription is the session's, like its other subscriptions, wherever it
     * resumes (MQTT 5 section 4.8.2; [MQTT-3.1.2-4]): subscribed on node 1, which then stops, it resumes on node 2
     * with Session Present and, without a SUBSCRIBE, gets what is published on node 3, at the QoS granted
     * [MQTT-4.8.2-3]. Taken over on node 3 by the same client id, it is one member still: the new connection gets
     * every message, none is left to the one taken over [MQTT-3.1.4-2]. Unsubscribed there, it resumes on node 2,
     * which held it before, without the subscription: the group's queue is gone and nothing reaches it. Subscribed
     * again, then started clean on node 3, it has no membership left on any node.
     */
    @Test
    void aPersistentSessionResumesItsSharedSubscriptionOnAnotherNodeUntilItUnsubscribes() throws Exception {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient first = client("n1", "roamer");
        first.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        first.subscribeWith().topicFilter(SHARED).qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        cluster.stop("n1");

        Mqtt5BlockingClient onNode2 = resume("n2", "on-2", got);
        publish("n3", "e", 20);
        List<Got> resumed = drain(got, 20);
        assertThat(resumed).extracting(Got::body).as("the group's messages, without a SUBSCRIBE on node 2")
                .containsExactlyInAnyOrderElementsOf(bodies("e", 20));
        assertThat(resumed).extracting(Got::qos).as("min(QoS 1 published, QoS 1 granted) [MQTT-4.8.2-3]")
                .containsOnly(MqttQos.AT_LEAST_ONCE);

        Mqtt5BlockingClient onNode3 = resume("n3", "on-3", got);
        QuorumCluster3.await("node 2's connection taken over", () -> !onNode2.getState().isConnected());
        publish("n3", "f", 20);
        List<Got> takenOver = drain(got, 20);
        assertThat(takenOver).extracting(Got::body).as("one member: the connection taken over holds none")
                .containsExactlyInAnyOrderElementsOf(bodies("f", 20));
        assertThat(takenOver).extracting(Got::member).containsOnly("on-3");

        onNode3.unsubscribeWith().topicFilter(SHARED).send();
        onNode3.disconnect();
        Mqtt5BlockingClient againOn2 = resume("n2", "again-2", got);
        cluster.awaitQueue("n2", QUEUE, false);
        cluster.awaitQueue("n3", QUEUE, false);
        publish("n3", "g", 5);
        assertThat(got.poll(1, TimeUnit.SECONDS)).as("unsubscribed: no member of the group any more").isNull();

        // Subscribed again on node 2, then a clean start on node 3, where it never joined the group: the session
        // ends [MQTT-3.1.2-4], its membership on every node with it, and a later session resumes into no group.
        againOn2.subscribeWith().topicFilter(SHARED).qos(MqttQos.AT_LEAST_ONCE).send();
        againOn2.disconnect();
        Mqtt5BlockingClient clean = client("n3", "roamer");
        MqttConnects.untilAccepted(() -> clean.toAsync().connectWith().cleanStart(true).sessionExpiryInterval(600)
                .send());
        clean.disconnect();
        cluster.awaitQueue("n2", QUEUE, false);
        Mqtt5BlockingClient later = client("n2", "roamer");
        later.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> got.add(new Got("later",
                new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), p.getQos())));
        MqttConnects.untilAccepted(() -> later.toAsync().connectWith().cleanStart(false).sessionExpiryInterval(600)
                .send());
        publish("n3", "h", 5);
        assertThat(got.poll(1, TimeUnit.SECONDS)).as("the clean start ended the membership").isNull();
    }

    /**
     * Connects the session {@code roamer} on {@code node} with Clean Start 0, its PUBLISHes going to {@code got} as
     * {@code member}'s; asserts Session Present [MQTT-3.2.2-3].
     */
    private Mqtt5BlockingClient resume(String node, String member, BlockingQueue<Got> got) throws Exception {
        Mqtt5BlockingClient c = client(node, "roamer");
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> got.add(new Got(member,
                new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), p.getQos())));
        AtomicReference<Mqtt5ConnAck> ack = new AtomicReference<>();
        MqttConnects.untilAccepted(() -> c.toAsync().connectWith().cleanStart(false).sessionExpiryInterval(600)
                .send().thenAccept(ack::set));
        assertThat(ack.get().isSessionPresent()).as("Session Present on %s", node).isTrue();
        return c;
    }

    /** A member of the group on {@code node} (clean start, QoS 1 granted) whose PUBLISHes go to {@code got}. */
    private Mqtt5BlockingClient member(String node, String id, BlockingQueue<Got> got) {
        Mqtt5BlockingClient c = client(node, id);
        c.connectWith().cleanStart(true).send();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> got.add(new Got(id,
                new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), p.getQos())));
        c.subscribeWith().topicFilter(SHARED).qos(MqttQos.AT_LEAST_ONCE).send();
        return c;
    }

    /** {@code count} QoS 1 messages on t/{i}, each answered with PUBACK, from a client of {@code node}. */
    private void publish(String node, String prefix, int count) {
        Mqtt5BlockingClient p = client(node, "publisher-" + prefix);
        p.connectWith().cleanStart(true).send();
        for (int i = 0; i < count; i++) {
            p.publishWith().topic("t/" + i).qos(MqttQos.AT_LEAST_ONCE)
                    .payload((prefix + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        p.disconnect();
    }

    /** The next {@code count} PUBLISHes, then none more for a while (a duplicate would show). */
    private static List<Got> drain(BlockingQueue<Got> got, int count) throws InterruptedException {
        List<Got> all = new ArrayList<>();
        while (all.size() < count) {
            Got g = got.poll(30, TimeUnit.SECONDS);
            assertThat(g).as("message %d of %d (so far %s)", all.size() + 1, count, all).isNotNull();
            all.add(g);
        }
        Got extra = got.poll(1, TimeUnit.SECONDS);
        assertThat(extra).as("no message twice").isNull();
        return all;
    }

    private static List<String> bodies(String prefix, int count) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(prefix + i);
        }
        return all;
    }

    /** Waits until {@code node} finds {@code queue} with a passive declare, or 15 s passed. */
    private void waitUntilKnown(String node, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Connection c = cluster.amqp(node); Channel ch = c.createChannel()) {
                ch.queueDeclarePassive(queue);
                return;
            } catch (IOException absent) {
                Thread.sleep(100);
            }
        }
    }

    /** A HiveMQ MQTT 5 client of {@code node}, as guest, not connected. */
    private Mqtt5BlockingClient client(String node, String id) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(cluster.broker(node).address("mqtt").getPort())
                .simpleAuth().username("guest").password(StandardCharsets.UTF_8.encode("guest")).applySimpleAuth()
                .buildBlocking();
        clients.add(c);
        return c;
    }
}
