package dev.junction.conformance.cluster.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delayed will is not sent by a node that was down while its session resumed on another node [MQTT-3.1.3-9]:
 * "If a new Network Connection to this Session is made before the Will Delay Interval has passed, the Server MUST
 * NOT send the Will Message". Three brokers in one JVM, the stock HiveMQ MQTT 5 client. The node restarts with the
 * will armed from its own record, due at once; it hears of the other node's connection only as it catches up with
 * the metadata log, and must look before it sends.
 */
@Timeout(300)
class MqttWillAfterRestartClusterTest {

    @TempDir
    Path dir;
    private QuorumCluster3 cluster;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Mqtt5BlockingClient c : clients) {
            try {
                c.disconnect();
            } catch (RuntimeException alreadyGone) {
                // closed by its broker's stop
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Mqtt5BlockingClient client(String node, String id) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(cluster.node(node).address("mqtt").getPort())
                .simpleAuth().username("guest").password(StandardCharsets.UTF_8.encode("guest")).applySimpleAuth()
                .buildBlocking();
        clients.add(c);
        return c;
    }

    /**
     * The device leaves node 1 with a will delayed by 3 s; node 1 stops before the delay passes, keeping the will in
     * its session record; the device resumes its session on node 2 and stays; node 1 starts again (its will is
     * then due at once). A watcher whose persistent session (a replicated queue) subscribes to the will's topic gets,
     * after node 1 is back and past the delay, a marker published on node 1 and not the will.
     *
     * <p>A second device leaves node 1 the same way (its session expiring 4 s later on node 1's record), resumes on
     * node 2 while node 1 is down and then disconnects normally there (DISCONNECT 0x00, so node 2's own will is
     * discarded [MQTT-3.1.2-10, MQTT-3.14.4-3]): no connection holds its client id when node 1 comes back, yet the
     * later connection superseded node 1's record, so node 1 neither sends the will [MQTT-3.1.3-9] nor ends the
     * session at its stale expiry: the session, which node 2 keeps for 600 s, resumes on node 3 afterwards. Failed
     * before node 1 remembered that the latest claim of the id was node 2's after its release: the watcher's first
     * message was that device's will ("wills/dev-left", not "wills/marker"), sent by node 1 as it came back.
     *
     * <p>A third device leaves node 1 the same way; while node 1 is down it connects to node 2 with Clean Start,
     * which ends the session node 1 kept [MQTT-3.1.2-4], and leaves normally with Session Expiry 0, which ends the
     * new one: no session of the id lives anywhere when node 1 comes back, and its will was that of a connection
     * that a later one superseded, so node 1 must not send it [MQTT-3.1.3-9] (a single node cancels it when the
     * Clean Start connects). Failed before an ended session that had moved between nodes left a tombstone in the
     * client-id registry: the watcher's first message was "wills/dev-ended". Not every time: node 1 also forgets
     * the session when its lane looks after it applied node 2's claim and before it applied the end (a few
     * milliseconds apart as it catches up); ClientIdTombstoneTest checks the registry's rule itself.
     */
    @Test
    void aNodeThatWasDownWhileItsSessionResumedElsewhereDoesNotSendTheWill() throws Exception {
        cluster = new QuorumCluster3(dir);
        Mqtt5BlockingClient watcher = client("n3", "will-watcher");
        watcher.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5BlockingClient device = client("n1", "dev-restart");
            device.connectWith().cleanStart(false).sessionExpiryInterval(600)
                    .willPublish().topic("wills/dev-restart").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("will".getBytes(StandardCharsets.UTF_8)).delayInterval(3).applyWillPublish()
                    .send();
            device.subscribeWith().topicFilter("commands/dev-restart").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient leaving = client("n1", "dev-left");
            leaving.connectWith().cleanStart(false).sessionExpiryInterval(4)
                    .willPublish().topic("wills/dev-left").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("will".getBytes(StandardCharsets.UTF_8)).delayInterval(3).applyWillPublish()
                    .send();
            leaving.subscribeWith().topicFilter("commands/dev-left").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient ending = client("n1", "dev-ended");
            ending.connectWith().cleanStart(false).sessionExpiryInterval(600)
                    .willPublish().topic("wills/dev-ended").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("will".getBytes(StandardCharsets.UTF_8)).delayInterval(3).applyWillPublish()
                    .send();
            ending.subscribeWith().topicFilter("commands/dev-ended").qos(MqttQos.AT_LEAST_ONCE).send();
            ending.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            device.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            leaving.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            // Node 1 has taken each disconnection (armed and stored the will, then released the id) before it stops:
            // node 2 sees node 1's claims released.
            for (String id : List.of("dev-restart", "dev-left", "dev-ended")) {
                QuorumCluster3.await(id + " released on node 1", () -> {
                    var claims = cluster.node("n2").cluster().orElseThrow().clientIds();
                    return claims.lastClaimedElsewhere("/", id) && !claims.heldElsewhere("/", id);
                });
            }
            cluster.stop("n1");

            Mqtt5BlockingClient resumed = client("n2", "dev-restart");
            assertThat(resumed.connectWith().cleanStart(false).sessionExpiryInterval(600).send()
                    .isSessionPresent()).as("the session made on node 1 resumed on node 2").isTrue();
            Mqtt5BlockingClient left = client("n2", "dev-left");
            assertThat(left.connectWith().cleanStart(false).sessionExpiryInterval(600)
                    .willPublish().topic("wills/dev-left").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("will of node 2".getBytes(StandardCharsets.UTF_8)).applyWillPublish()
                    .send().isSessionPresent()).as("the second session made on node 1 resumed on node 2").isTrue();
            left.disconnect(); // normal: its will is discarded [MQTT-3.1.2-10]
            Mqtt5BlockingClient ended = client("n2", "dev-ended");
            assertThat(ended.connectWith().cleanStart(true).send().isSessionPresent())
                    .as("a Clean Start on node 2 ended the session made on node 1").isFalse();
            ended.disconnect(); // normal, Session Expiry 0: the session ends on node 2

            cluster.start("n1");
            QuorumCluster3.await("node 1 back with a metadata leader", () ->
                    !cluster.node("n1").cluster().orElseThrow().status().leader().isEmpty());
            // Past the wills' delay and the second session's expiry on node 1's record (both ran out while node 1
            // was down, so both are due at once), and time for a due will to go out.
            TimeUnit.SECONDS.sleep(6);
            Mqtt5BlockingClient marker = client("n1", "will-marker");
            marker.connectWith().cleanStart(true).send();
            marker.publishWith().topic("wills/marker").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish first = in.receive(60, TimeUnit.SECONDS).orElseThrow();
            assertThat(first.getTopic().toString()).as("the will was not sent [MQTT-3.1.3-9]")
                    .isEqualTo("wills/marker");

            Mqtt5BlockingClient back = client("n3", "dev-left");
            assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent())
                    .as("node 1 did not end the session node 2 kept at its own stale expiry").isTrue();
            marker.publishWith().topic("wills/marker-2").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
            assertThat(in.receive(60, TimeUnit.SECONDS).orElseThrow().getTopic().toString())
                    .as("no will went out meanwhile").isEqualTo("wills/marker-2");
        }
    }
}
