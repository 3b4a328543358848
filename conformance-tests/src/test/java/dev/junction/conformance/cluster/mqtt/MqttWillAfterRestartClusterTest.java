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
            device.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            cluster.stop("n1");

            Mqtt5BlockingClient resumed = client("n2", "dev-restart");
            assertThat(resumed.connectWith().cleanStart(false).sessionExpiryInterval(600).send()
                    .isSessionPresent()).as("the session made on node 1 resumed on node 2").isTrue();

            cluster.start("n1");
            QuorumCluster3.await("node 1 back with a metadata leader", () ->
                    !cluster.node("n1").cluster().orElseThrow().status().leader().isEmpty());
            TimeUnit.SECONDS.sleep(6); // past the will's delay, and time for a due will to go out
            Mqtt5BlockingClient marker = client("n1", "will-marker");
            marker.connectWith().cleanStart(true).send();
            marker.publishWith().topic("wills/marker").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish first = in.receive(60, TimeUnit.SECONDS).orElseThrow();
            assertThat(first.getTopic().toString()).as("the will was not sent [MQTT-3.1.3-9]")
                    .isEqualTo("wills/marker");
        }
    }
}
