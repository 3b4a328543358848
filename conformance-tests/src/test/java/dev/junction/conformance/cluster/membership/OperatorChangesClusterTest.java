package dev.junction.conformance.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies, users and vhosts changed through the management API of a cluster node are linearizable as declarations are
 * (docs/cluster.md, "Linearizable declarations"): they take effect when the metadata log commits them, on every node,
 * and a change the log cannot commit is in effect nowhere, not even on the node that took it, while it waits or
 * after it failed. Three brokers in one JVM; the metadata leader's two peers are stopped, so what it takes next
 * cannot reach a majority; what it does meanwhile is read through the stock AMQP 0-9-1 client (the management API
 * answers one request at a time, and the pending change holds it).
 */
@Timeout(300)
class OperatorChangesClusterTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private QuorumCluster3 cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPolicyOrUserTheLogCannotCommitIsNotInEffectOnTheNodeThatTookIt() throws Exception {
        // A short request timeout, so that the change that cannot commit fails within seconds.
        cluster = new QuorumCluster3(dir, "  request_timeout_ms: 3000\n");

        // While the cluster has a majority, a policy set on n1 applies on n3 (the transient queue is n3's own).
        assertThat(put("n1", "/api/policies/%2F/cap", policy("^capped\\\\.", 1)).statusCode()).isEqualTo(201);
        QuorumCluster3.await("the policy on n3", () -> fetched("n3", "capped.n3", 3) == 1);

        String leader = cluster.node("n1").cluster().orElseThrow().status().leader();
        for (String id : List.of(QuorumCluster3.IDS)) {
            if (!id.equals(leader)) {
                cluster.stop(id);
            }
        }
        CompletableFuture<HttpResponse<String>> policy = putAsync(leader, "/api/policies/%2F/late",
                policy("^late\\\\.", 1));
        // Read while the change waits: a transient queue on the leader takes three messages, no limit applies.
        int kept = fetched(leader, "late." + leader, 3);
        assertThat(kept).as("messages kept while the policy was not committed").isEqualTo(3);
        HttpResponse<String> policyAnswer = policy.get(120, TimeUnit.SECONDS);
        assertThat(policyAnswer.statusCode()).as(policyAnswer.body()).isGreaterThanOrEqualTo(500);
        assertThat(fetched(leader, "late2." + leader, 3)).as("nor after it failed").isEqualTo(3);

        CompletableFuture<HttpResponse<String>> user = putAsync(leader, "/api/users/late",
                "{\"password\":\"late-secret\",\"tags\":\"\"}");
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(cluster.node(leader).address("amqp").getPort());
        f.setUsername("late");
        f.setPassword("late-secret");
        // Not yet a user: its login fails as an unknown user's does (with it, the vhost would refuse it instead).
        assertThatThrownBy(f::newConnection).isInstanceOf(AuthenticationFailureException.class);
        HttpResponse<String> userAnswer = user.get(120, TimeUnit.SECONDS);
        assertThat(userAnswer.statusCode()).as(userAnswer.body()).isGreaterThanOrEqualTo(500);
        assertThatThrownBy(f::newConnection).isInstanceOf(AuthenticationFailureException.class);
    }

    /**
     * RabbitMQ's vhost deletion closes the connections in it, on every node: a vhost created through n1's API is used
     * by a connection on n3, deleted through n2's API, and the n3 connection is closed by the broker (there, by the
     * committed removal of its user's permissions in the vhost, which n2 makes as part of the deletion).
     */
    @Test
    void aVhostDeletedThroughOneNodeClosesItsConnectionsOnAnother() throws Exception {
        cluster = new QuorumCluster3(dir);
        assertThat(put("n1", "/api/vhosts/doomed", "{}").statusCode()).isEqualTo(201);
        assertThat(put("n1", "/api/permissions/doomed/guest", "{\"configure\":\".*\",\"write\":\".*\","
                + "\"read\":\".*\"}").statusCode()).isIn(201, 204);
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(cluster.node("n3").address("amqp").getPort());
        f.setVirtualHost("doomed");
        Connection[] opened = new Connection[1];
        QuorumCluster3.await("a connection to the new vhost on n3", () -> {
            try {
                opened[0] = f.newConnection();
                return true;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        CompletableFuture<com.rabbitmq.client.ShutdownSignalException> closed = new CompletableFuture<>();
        opened[0].addShutdownListener(closed::complete);
        HttpResponse<String> deleted = request("n2", "DELETE", "/api/vhosts/doomed", null)
                .get(120, TimeUnit.SECONDS);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        com.rabbitmq.client.ShutdownSignalException why = closed.get(60, TimeUnit.SECONDS);
        assertThat(why.isInitiatedByApplication()).as("closed by the broker").isFalse();
        assertThat(why.getMessage()).contains("CONNECTION_FORCED");
    }

    private static String policy(String pattern, int maxLength) {
        return "{\"pattern\": \"" + pattern + "\", \"apply-to\": \"queues\", \"definition\": {\"max-length\": "
                + maxLength + "}}";
    }

    /**
     * Declares a transient queue {@code queue} on {@code node} (this node's own: no log entry), publishes
     * {@code count} messages to it and answers how many it then holds, read by basic.get.
     */
    private int fetched(String node, String queue, int count) throws Exception {
        try (Connection c = cluster.connect(node); Channel ch = c.createChannel()) {
            ch.queueDeclare(queue, false, false, true, null);
            ch.confirmSelect();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
            int got = 0;
            while (ch.basicGet(queue, true) != null) {
                got++;
            }
            return got;
        }
    }

    private HttpResponse<String> put(String node, String path, String body) throws Exception {
        return putAsync(node, path, body).get(120, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> putAsync(String node, String path, String body) {
        return request(node, "PUT", path, body);
    }

    private CompletableFuture<HttpResponse<String>> request(String node, String method, String path, String body) {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + cluster.node(node).address("http").getPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }
}
