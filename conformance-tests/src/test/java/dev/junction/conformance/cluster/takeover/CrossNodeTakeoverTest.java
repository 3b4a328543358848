package dev.junction.conformance.cluster.takeover;

import static dev.junction.conformance.cluster.quorum.QuorumCluster3.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.conformance.cluster.MqttConnects;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-id takeover across the nodes of a three-node cluster in this JVM, with the stock HiveMQ client
 * (docs/cluster.md, "Client ids and takeover"): a CONNECT on one node closes the connection with the same client id
 * on another [MQTT-3.1.4-2] (MQTT 5: DISCONNECT 0x8E Session taken over, MQTT 5 section 4.13); two CONNECTs at once
 * on two nodes leave exactly one connected; a node cut off from the majority refuses a CONNECT with Server
 * unavailable (MQTT 5 CONNACK 0x88, MQTT 3.1.1 return code 3) rather than let a second owner live.
 */
class CrossNodeTakeoverTest {

    @TempDir
    Path dir;

    @Test
    void aConnectOnAnotherNodeTakesOverTheConnection() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            CompletableFuture<Throwable> first = new CompletableFuture<>();
            Mqtt5AsyncClient onN1 = v5("device-1", port(cluster, "n1"), first);
            connect(onN1);
            CompletableFuture<Throwable> second = new CompletableFuture<>();
            Mqtt5AsyncClient onN2 = v5("device-1", port(cluster, "n2"), second);
            connect(onN2);
            assertThat(first.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER));
            assertThat(onN2.getState().isConnected()).isTrue();

            // And back, on the third node, for MQTT 3.1.1: the network connection is closed [MQTT-3.1.4-2].
            CompletableFuture<Throwable> third = new CompletableFuture<>();
            Mqtt3AsyncClient onN3 = v3("device-1", port(cluster, "n3"), third);
            MqttConnects.untilAccepted(() -> onN3.connectWith().cleanSession(false).send());
            second.get(30, TimeUnit.SECONDS);
            await("the 3.1.1 client still connected on n3", () -> onN3.getState().isConnected());
            assertThat(third).isNotDone();
            onN3.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    /** Two CONNECTs with one client id at once on two nodes: the log orders the claims, one connection remains. */
    @Test
    void simultaneousConnectsOnTwoNodesLeaveOneOwner() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            for (int round = 0; round < 5; round++) {
                String id = "racer-" + round;
                List<Mqtt5AsyncClient> clients = List.of(v5(id, port(cluster, "n1"), new CompletableFuture<>()),
                        v5(id, port(cluster, "n2"), new CompletableFuture<>()));
                List<CompletableFuture<?>> connects = new ArrayList<>();
                for (Mqtt5AsyncClient c : clients) {
                    connects.add(c.connectWith().cleanStart(true).send());
                }
                for (CompletableFuture<?> f : connects) {
                    try {
                        f.get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException refused) {
                        // overtaken before its CONNACK: refused with Server unavailable, the other one won
                        assertThat(refused.getCause()).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                                e -> assertThat(e.getMqttMessage().getReasonCode())
                                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
                    }
                }
                await("exactly one connection of " + id, () -> clients.stream()
                        .filter(c -> c.getState().isConnected()).count() == 1);
                Thread.sleep(200); // nothing closes the winner afterwards
                assertThat(clients.stream().filter(c -> c.getState().isConnected()).count()).isEqualTo(1);
                for (Mqtt5AsyncClient c : clients) {
                    if (c.getState().isConnected()) {
                        c.disconnect().get(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    /** A node without a majority grants no claim: CONNECT refused with Server unavailable, 5 and 3.1.1. */
    @Test
    void aNodeWithoutAMajorityRefusesConnects() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            connect(v5("before", port(cluster, "n1"), new CompletableFuture<>()));
            cluster.stop("n2");
            cluster.stop("n3");
            await("n1 to know it has no leader",
                    () -> cluster.node("n1").cluster().orElseThrow().status().leader().isEmpty());
            int n1 = port(cluster, "n1");
            assertThatThrownBy(() -> v5("alone", n1, new CompletableFuture<>()).connectWith().send()
                    .get(60, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
            assertThatThrownBy(() -> v3("alone-3", n1, new CompletableFuture<>()).connectWith().send()
                    .get(60, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(Mqtt3ConnAckException.class,
                    e -> assertThat(e.getMqttMessage().getReturnCode())
                            .isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE));
        }
    }

    static Mqtt5AsyncClient v5(String id, int port, CompletableFuture<Throwable> disconnected) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("guest").password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildAsync();
    }

    static Mqtt3AsyncClient v3(String id, int port, CompletableFuture<Throwable> disconnected) {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("guest").password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildAsync();
    }

    static void connect(Mqtt5AsyncClient client) throws Exception {
        MqttConnects.untilAccepted(() -> client.connectWith().cleanStart(false).send());
    }

    static int port(QuorumCluster3 cluster, String node) {
        return cluster.node(node).address("mqtt").getPort();
    }

}
