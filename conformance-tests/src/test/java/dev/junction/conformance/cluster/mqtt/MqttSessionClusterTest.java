package dev.junction.conformance.cluster.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.cluster.MqttConnects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent MQTT sessions in a cluster of three brokers (one JVM), with the stock Paho MQTT 3.1.1 client and the
 * stock AMQP 0-9-1 client. A Clean Session 0 session's queue is a quorum queue and its subscriptions are replicated
 * bindings, so a client whose node stopped resumes its session on another node: the session is present
 * [MQTT-3.2.2-2], its subscriptions hold [MQTT-3.1.2-4], the QoS 1 messages queued meanwhile are delivered
 * [MQTT-3.1.2-5, MQTT-4.3.2-1], and a message it had been sent but not acknowledged is sent again with DUP set
 * [MQTT-4.4.0-1, MQTT-3.3.1-1]. Clean Session 1 discards the session on whichever node [MQTT-3.1.2-6].
 */
@Timeout(240)
class MqttSessionClusterTest {
    private static final String TOPIC = "sensors/t1";
    private static final String KEY = "sensors.t1"; // the AMQP routing key of TOPIC on the MQTT exchange

    @TempDir
    Path dir;
    private MqttCluster3 cluster;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<Mqtt5BlockingClient> clients5 = new ArrayList<>();

    /** One PUBLISH as the client got it. */
    private record Got(String body, boolean dup, int qos, int id) {
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MqttCluster3(dir);
    }

    @AfterEach
    void stop() {
        for (Mqtt5BlockingClient c : clients5) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException ignored) {
                // its node stopped
            }
        }
        for (MqttClient c : clients) {
            try {
                c.disconnectForcibly(100, 100);
            } catch (Exception ignored) {
                // already disconnected
            }
            try {
                c.close(true);
            } catch (Exception ignored) {
                // closed
            }
        }
        cluster.close();
    }

    /** A client of {@code node} that records every PUBLISH; with {@code manualAcks} it sends no PUBACK itself. */
    private MqttClient client(String node, String id, BlockingQueue<Got> got, boolean manualAcks) throws Exception {
        MqttClient c = cluster.mqtt(node, id);
        clients.add(c);
        c.setManualAcks(manualAcks);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                got.add(new Got(new String(m.getPayload(), StandardCharsets.UTF_8), m.isDuplicate(), m.getQos(),
                        m.getId()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        return c;
    }

    /**
     * Connects clean or not, again while the node answers Server unavailable (an election after a node stopped);
     * returns the CONNACK's Session Present.
     */
    private static boolean connect(MqttClient c, boolean cleanSession) throws Exception {
        try {
            return MqttConnects.untilAccepted(c, MqttCluster3.options(cleanSession));
        } catch (MqttException e) {
            throw new AssertionError("CONNECT of " + c.getClientId() + " to " + c.getServerURI() + ": " + e, e);
        }
    }

    /** Subscribes {@code id} at QoS 1 with a persistent session on {@code node}, then disconnects it. */
    private void subscribeAndLeave(String node, String id) throws Exception {
        MqttClient c = client(node, id, new LinkedBlockingQueue<>(), false);
        assertThat(connect(c, false)).isFalse();
        try {
            c.subscribe(TOPIC, 1);
        } catch (MqttException e) {
            throw new AssertionError("SUBSCRIBE of " + id + " on " + node + ": " + e, e);
        }
        c.disconnect();
        cluster.awaitQueue("n3", "mqtt.session." + id, true); // the queue and binding reached the other nodes
    }

    /** QoS 1 publishes on {@code node}, each answered with PUBACK: committed in the queue's group. */
    private void publishMqtt(String node, String prefix, int count) throws Exception {
        MqttClient p = client(node, "pub-" + prefix, new LinkedBlockingQueue<>(), false);
        connect(p, true);
        for (int i = 0; i < count; i++) {
            try {
                p.publish(TOPIC, (prefix + i).getBytes(StandardCharsets.UTF_8), 1, false);
            } catch (MqttException e) {
                throw new AssertionError("QoS 1 PUBLISH " + prefix + i + " on " + node + ": " + e, e);
            }
        }
        p.disconnect();
    }

    /** Persistent AMQP 0-9-1 publishes to the MQTT exchange with confirms (MQTT QoS 1 for a persistent message). */
    private void publishAmqp(String node, String prefix, int count) throws Exception {
        try (Connection conn = cluster.amqp(node); Channel ch = conn.createChannel()) {
            ch.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("amq.topic", KEY, persistent, (prefix + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static List<Got> take(BlockingQueue<Got> got, int n) throws InterruptedException {
        List<Got> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Got g = got.poll(60, TimeUnit.SECONDS);
            assertThat(g).as("PUBLISH %d of %d within 60 s (got %s)", i + 1, n, all).isNotNull();
            all.add(g);
        }
        return all;
    }

    private static List<String> bodies(List<Got> got) {
        return got.stream().map(Got::body).toList();
    }

    /**
     * [MQTT-3.1.2-4, MQTT-3.1.2-5, MQTT-3.2.2-2]: subscribed on node 1 with Clean Session 0; QoS 1 messages
     * published on node 2 over MQTT and AMQP while it is away; node 1 stops; the client connects to node 3 and is
     * told its session is present, gets every queued message once, in order per publisher, and its subscription
     * still routes a message published on node 3 without a new SUBSCRIBE.
     */
    @Test
    void aSessionResumesOnAnotherNodeWithItsQueuedMessagesAndSubscriptions() throws Exception {
        subscribeAndLeave("n1", "dev-1");
        publishMqtt("n2", "m", 10);
        publishAmqp("n2", "a", 10);
        cluster.stop("n1");

        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        MqttClient c = client("n3", "dev-1", got, false);
        assertThat(connect(c, false)).as("Session Present on another node [MQTT-3.2.2-2]").isTrue();
        List<Got> queued = take(got, 20);
        assertThat(bodies(queued).stream().filter(b -> b.startsWith("m")).toList())
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(bodies(queued).stream().filter(b -> b.startsWith("a")).toList())
                .containsExactly("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9");
        assertThat(queued).allSatisfy(g -> assertThat(g.qos()).isEqualTo(1));

        publishMqtt("n3", "after", 1);
        assertThat(take(got, 1).get(0).body()).as("the subscription made on node 1 [MQTT-3.1.2-4]")
                .isEqualTo("after0");
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
    }

    /**
     * [MQTT-4.4.0-1, MQTT-3.3.1-1]: QoS 1 messages sent to the client on node 1 and not acknowledged when node 1
     * stops go back to the session's queue (given back by the stopping node, or once the queue's group leader
     * judged node 1 silent) and are sent again, with DUP set, when the client resumes the session on node 2.
     */
    @Test
    void unacknowledgedMessagesOfAStoppedNodeAreSentAgainWithDupOnAnother() throws Exception {
        subscribeAndLeave("n1", "dev-2");
        BlockingQueue<Got> first = new LinkedBlockingQueue<>();
        MqttClient holder = client("n1", "dev-2", first, true); // receives, never sends PUBACK
        assertThat(connect(holder, false)).isTrue();
        publishMqtt("n2", "u", 5);
        List<Got> unacked = take(first, 5);
        assertThat(unacked).allSatisfy(g -> assertThat(g.dup()).isFalse());

        cluster.stop("n1");
        holder.disconnectForcibly(100, 100);

        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        MqttClient c = client("n2", "dev-2", got, false);
        assertThat(connect(c, false)).isTrue();
        List<Got> again = take(got, 5);
        assertThat(bodies(again)).containsExactlyInAnyOrder("u0", "u1", "u2", "u3", "u4");
        assertThat(again).as("DUP on a message sent before [MQTT-3.3.1-1]").allSatisfy(g -> assertThat(g.dup()).isTrue());
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).as("nothing more").isNull();
    }

    /**
     * [MQTT-3.1.2-6]: Clean Session 1 on node 2 discards the session made on node 1, its subscription and its queued
     * messages, on every node: a Clean Session 0 connection to node 3, which had resumed the session before and
     * still knows it, finds no session afterwards, gets none of the messages queued before, and no message of the
     * old subscription.
     */
    @Test
    void cleanSessionOnAnotherNodeDiscardsTheSessionEverywhere() throws Exception {
        subscribeAndLeave("n1", "dev-3");
        MqttClient resumed = client("n3", "dev-3", new LinkedBlockingQueue<>(), false);
        assertThat(connect(resumed, false)).isTrue();
        resumed.disconnect();
        publishMqtt("n2", "old", 3);

        MqttClient clean = client("n2", "dev-3", new LinkedBlockingQueue<>(), false);
        assertThat(connect(clean, true)).as("a clean session is never present [MQTT-3.2.2-1]").isFalse();
        clean.disconnect();
        cluster.awaitQueue("n3", "mqtt.session.dev-3", false);

        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        MqttClient c = client("n3", "dev-3", got, false);
        assertThat(connect(c, false)).as("the session was discarded [MQTT-3.1.2-6]").isFalse();
        publishMqtt("n1", "new", 1);
        assertThat(got.poll(2, TimeUnit.SECONDS)).as("no queued message, no subscription left").isNull();
    }

    /** A HiveMQ MQTT 5 client of {@code node}, as guest. */
    private Mqtt5BlockingClient client5(String node, String id) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(cluster.broker(node).address("mqtt").getPort())
                .simpleAuth().username("guest").password(StandardCharsets.UTF_8.encode("guest")).applySimpleAuth()
                .buildBlocking();
        clients5.add(c);
        return c;
    }

    /**
     * MQTT 5: a session with a Session Expiry Interval resumes on another node with its subscription's options, which
     * travel in the replicated binding: No Local keeps the client's own messages from it [MQTT-3.8.3-3], Retain As
     * Published keeps the RETAIN flag [MQTT-3.3.1-12], and the granted QoS 1 holds.
     */
    @Test
    void subscriptionOptionsResumeOnAnotherNode() throws Exception {
        Mqtt5BlockingClient first = client5("n1", "dev-5");
        assertThat(first.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent())
                .isFalse();
        first.subscribeWith().topicFilter(TOPIC).qos(MqttQos.AT_LEAST_ONCE).noLocal(true).retainAsPublished(true)
                .send();
        first.disconnect();
        cluster.awaitQueue("n2", "mqtt.session.dev-5", true);

        Mqtt5BlockingClient again = client5("n2", "dev-5");
        try (Mqtt5BlockingClient.Mqtt5Publishes in = again.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent())
                    .isTrue();
            again.publishWith().topic(TOPIC).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("own".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5BlockingClient other = client5("n3", "other-5");
            other.connectWith().cleanStart(true).send();
            other.publishWith().topic(TOPIC).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload("other".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish p = in.receive(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).as("No Local").isEqualTo("other");
            assertThat(p.isRetain()).as("Retain As Published").isTrue();
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(in.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    /**
     * A clean session's subscription routes across the cluster (as in RabbitMQ's and EMQX's clusters): what is
     * published on any node, over MQTT or AMQP, reaches clean sessions subscribed on every node, once each
     * [MQTT-4.6.0-6: in order per publisher], through each node's relay (docs/cluster.md). Two clean sessions on
     * node 1 (an exact filter and a wildcard) and one on node 2, and a persistent session on node 1; QoS 1 messages published on node 2 (MQTT), node 3
     * (AMQP) and node 1 (MQTT), then a last one on node 3: it comes after everything else through the same relay, so
     * a copy of a node's own publish that went through its relay as well would have come before it. Failed before the
     * relay: the sessions got only what their own node took.
     */
    @Test
    void cleanSessionsGetWhatEveryNodePublishesOnce() throws Exception {
        BlockingQueue<Got> exact = new LinkedBlockingQueue<>();
        BlockingQueue<Got> wildcard = new LinkedBlockingQueue<>();
        BlockingQueue<Got> second = new LinkedBlockingQueue<>();
        BlockingQueue<Got> persistent = new LinkedBlockingQueue<>();
        MqttClient p = client("n1", "kept-p", persistent, false);
        connect(p, false);
        p.subscribe(TOPIC, 1); // its quorum queue, filled by every node itself: the relay must leave it out
        MqttClient a = client("n1", "clean-a", exact, false);
        MqttClient w = client("n1", "clean-w", wildcard, false);
        MqttClient b = client("n2", "clean-b", second, false);
        connect(a, true);
        connect(w, true);
        connect(b, true);
        a.subscribe(TOPIC, 1);
        w.subscribe("sensors/#", 1);
        b.subscribe(TOPIC, 1);

        publishMqtt("n2", "m", 3);
        publishAmqp("n3", "a", 2);
        publishMqtt("n1", "l", 2);
        publishMqtt("n3", "end", 1);

        for (BlockingQueue<Got> got : List.of(exact, wildcard, second, persistent)) {
            List<String> bodies = new ArrayList<>();
            while (!bodies.contains("end0")) {
                bodies.addAll(bodies(take(got, 1)));
            }
            assertThat(bodies).as("every message once, in order per publisher [MQTT-4.6.0-6]")
                    .containsExactlyInAnyOrder("m0", "m1", "m2", "a0", "a1", "l0", "l1", "end0");
            assertThat(bodies.stream().filter(x -> x.startsWith("m")).toList()).containsExactly("m0", "m1", "m2");
            assertThat(bodies.stream().filter(x -> x.startsWith("a")).toList()).containsExactly("a0", "a1");
            assertThat(bodies.stream().filter(x -> x.startsWith("l")).toList()).containsExactly("l0", "l1");
        }
    }
}
