package dev.junction.conformance.cluster.takeover;

import static dev.junction.conformance.cluster.quorum.QuorumCluster3.await;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.connect;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.port;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.cluster.MqttConnects;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client id belongs to its session's user across the nodes of a cluster (docs/cluster.md, "Client ids and
 * takeover"), with the stock HiveMQ client: a CONNECT by another user with the client id on another node is refused
 * with what a single node answers for another user's session, Not authorized (MQTT 5 CONNACK 0x87, MQTT 3.1.1
 * return code 5), and the owner's connection stays open and receiving; the owner itself still takes over from any
 * node [MQTT-3.1.4-2]; a persistent session keeps the id its user's while disconnected; an ended session frees it.
 */
class CrossNodeClientIdUserTest {

    @TempDir
    Path dir;

    @Test
    void anotherUsersConnectIsRefusedOnEveryNodeAndTheOwnerKeepsItsConnection() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            addUser(cluster, "bob", "b-pw");

            CompletableFuture<Throwable> ownerGone = new CompletableFuture<>();
            Mqtt5AsyncClient owner = v5("shared-id", "guest", "guest", port(cluster, "n1"), ownerGone);
            connect(owner);
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            owner.subscribeWith().topicFilter("claim/t").qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                    .send().get(10, TimeUnit.SECONDS);

            assertThat(refusal5(v5("shared-id", "bob", "b-pw", port(cluster, "n2"), new CompletableFuture<>())))
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(refusal3(v3("shared-id", "bob", "b-pw", port(cluster, "n3"))))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);

            // The owner's connection was not touched: still open, still receiving.
            Thread.sleep(200);
            assertThat(ownerGone).isNotDone();
            assertThat(owner.getState().isConnected()).isTrue();
            Mqtt5AsyncClient publisher = v5("publisher", "guest", "guest", port(cluster, "n1"),
                    new CompletableFuture<>());
            connect(publisher);
            publisher.publishWith().topic("claim/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("still here".getBytes(StandardCharsets.UTF_8)).send().get(10, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");

            // The owner's own CONNECT on another node takes over as before.
            CompletableFuture<Throwable> movedGone = new CompletableFuture<>();
            Mqtt5AsyncClient moved = v5("shared-id", "guest", "guest", port(cluster, "n2"), movedGone);
            connect(moved);
            assertThat(ownerGone.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER));
            assertThat(moved.getState().isConnected()).isTrue();

            // Its session ends with its connection (Session Expiry 0): the id is free for any user.
            moved.disconnect().get(10, TimeUnit.SECONDS);
            Mqtt5AsyncClient bob = v5("shared-id", "bob", "b-pw", port(cluster, "n3"), new CompletableFuture<>());
            await("bob's CONNECT accepted once the session ended", () -> accepted(bob));
            bob.disconnect().get(10, TimeUnit.SECONDS);
            publisher.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    /** A persistent session without a connection keeps its client id its user's, on every node. */
    @Test
    void aDisconnectedPersistentSessionKeepsTheIdItsUsers() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            addUser(cluster, "bob", "b-pw");
            Mqtt5AsyncClient owner = v5("kept-id", "guest", "guest", port(cluster, "n1"), new CompletableFuture<>());
            MqttConnects.untilAccepted(() -> owner.connectWith().cleanStart(false)
                    .sessionExpiryInterval(3600).send());
            owner.disconnect().get(10, TimeUnit.SECONDS);

            assertThat(refusal5(v5("kept-id", "bob", "b-pw", port(cluster, "n2"), new CompletableFuture<>())))
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            Mqtt5AsyncClient back = v5("kept-id", "guest", "guest", port(cluster, "n3"), new CompletableFuture<>());
            MqttConnects.untilAccepted(() -> back.connectWith().cleanStart(false)
                    .sessionExpiryInterval(3600).send());
            assertThat(back.getState().isConnected()).isTrue();
            back.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean accepted(Mqtt5AsyncClient client) throws Exception {
        try {
            client.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5ConnAckException a
                    && a.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.NOT_AUTHORIZED) {
                Thread.sleep(100); // the end of the session is not committed yet
                return false;
            }
            throw e;
        }
    }

    /** The refusal of a CONNECT, once the cluster has a leader (Server unavailable means try again). */
    private static Mqtt5ConnAckReasonCode refusal5(Mqtt5AsyncClient client) throws Exception {
        for (;;) {
            try {
                client.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
                throw new AssertionError("CONNECT accepted");
            } catch (ExecutionException e) {
                Mqtt5ConnAckReasonCode code = ((Mqtt5ConnAckException) e.getCause()).getMqttMessage().getReasonCode();
                if (code != Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE) {
                    return code;
                }
                Thread.sleep(200);
            }
        }
    }

    private static Mqtt3ConnAckReturnCode refusal3(Mqtt3AsyncClient client) throws Exception {
        for (;;) {
            try {
                client.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
                throw new AssertionError("CONNECT accepted");
            } catch (ExecutionException e) {
                Mqtt3ConnAckReturnCode code = ((Mqtt3ConnAckException) e.getCause()).getMqttMessage().getReturnCode();
                if (code != Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE) {
                    return code;
                }
                Thread.sleep(200);
            }
        }
    }

    /** A user with every permission on vhost "/", made on n1 through the management API and awaited everywhere. */
    private static void addUser(QuorumCluster3 cluster, String name, String password) throws Exception {
        await("user " + name + " created", () -> http(cluster, "n1", "PUT", "/api/users/" + name,
                "{\"password\":\"" + password + "\",\"tags\":\"\"}") / 100 == 2);
        await("permissions of " + name + " set", () -> http(cluster, "n1", "PUT", "/api/permissions/%2F/" + name,
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}") / 100 == 2);
        for (String node : QuorumCluster3.IDS) {
            await(name + "'s permissions on " + node,
                    () -> http(cluster, node, "GET", "/api/permissions/%2F/" + name, null) == 200);
        }
    }

    private static int http(QuorumCluster3 cluster, String node, String method, String path, String body)
            throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + cluster.node(node).address("http").getPort() + path))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static Mqtt5AsyncClient v5(String id, String user, String password, int port,
                                       CompletableFuture<Throwable> disconnected) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildAsync();
    }

    private static Mqtt3AsyncClient v3(String id, String user, String password, int port) {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildAsync();
    }
}
