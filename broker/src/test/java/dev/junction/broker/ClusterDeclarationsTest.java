package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Declarations in a cluster are linearizable (docs/cluster.md): once a stock AMQP 0-9-1 client got declare-ok
 * (or delete-ok, bind-ok) from one node, a client of another node finds the change at once, and a node without a
 * majority refuses declarations and deletions alike.
 */
class ClusterDeclarationsTest extends OnThreeNodes {

    @Test
    void whatOneNodeAnsweredAnotherNodeFindsAtOnce() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        // Two followers: the one declaring waits for its own apply, the one reading for the leader's read index.
        List<String> followers = nodes.followers();
        String a = followers.get(0);
        String b = followers.get(1);
        try (Connection ca = nodes.connect(a); Connection cb = nodes.connect(b)) {
            Channel onA = ca.createChannel();
            Channel onB = cb.createChannel();
            onB.confirmSelect();
            AtomicInteger returned = new AtomicInteger();
            onB.addReturnListener(r -> returned.incrementAndGet());
            for (int i = 0; i < 20; i++) {
                String x = "lin.x" + i;
                String q = "lin.q" + i;
                onA.exchangeDeclare(x, "direct", true);
                onA.queueDeclare(q, true, false, false, null);
                onA.queueBind(q, x, "k");
                // No wait: the answers above promise that every node has the three definitions now.
                onB.exchangeDeclarePassive(x);
                assertThat(onB.queueDeclarePassive(q).getQueue()).isEqualTo(q);
                onB.basicPublish(x, "k", true, null, "m".getBytes(StandardCharsets.UTF_8));
                onB.waitForConfirmsOrDie(10_000);
                assertThat(returned).as("publish through the binding on " + b).hasValue(0);

                onA.queueUnbind(q, x, "k");
                // Publishing reads this node's bindings without asking the log; a passive declare first makes
                // this node current with every answered change, so the publish after it sees the unbind.
                onB.queueDeclarePassive(q);
                onB.basicPublish(x, "k", true, null, "m".getBytes(StandardCharsets.UTF_8));
                onB.waitForConfirmsOrDie(10_000);
                assertThat(returned).as("the binding gone on " + b).hasValue(1);
                returned.set(0);

                onA.queueDelete(q);
                onA.exchangeDelete(x);
                Channel probe = cb.createChannel();
                assertThatThrownBy(() -> probe.queueDeclarePassive(q)).hasStackTraceContaining("404");
                Channel probe2 = cb.createChannel();
                assertThatThrownBy(() -> probe2.exchangeDeclarePassive(x)).hasStackTraceContaining("404");
            }
        }
    }

    /**
     * On the metadata leader, declarations (writes the node's Raft client sends to the leader, itself) and passive
     * declarations (reads through the read index of the node asked, itself too) take turns, each answered. Ratis
     * numbered the two kinds in two sequences but sent both on one stream, which the server orders by one: the
     * first read was never processed and held every later answer until the client gave the request up. Its
     * timeout is set far above the test's wait here, so the old behaviour fails instead of recovering late.
     */
    @Test
    void theLeaderAnswersItsOwnReadsBetweenItsOwnWrites() throws Exception {
        nodes = new ThreeNodes(dir, "  request_timeout_ms: 300000\n", "").startAll();
        String leader = nodes.leader();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(nodes.broker(leader).address("amqp").getPort());
        f.setChannelRpcTimeout(60_000);
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            for (int i = 0; i < 10; i++) {
                String q = "turns.q" + i;
                ch.queueDeclare(q, true, false, false, null);
                assertThat(ch.queueDeclarePassive(q).getQueue()).isEqualTo(q);
                ch.exchangeDeclare("turns.x" + i, "fanout", true);
                ch.queueBind(q, "turns.x" + i, "");
                ch.exchangeDeclarePassive("turns.x" + i);
            }
        }
        assertThat(nodes.broker(leader).engine().vhost("/").orElseThrow().bindingsTo(true, "turns.q9")).hasSize(1);
    }

    @Test
    void aNodeWithoutAMajorityRefusesDeclarationsAndDeletions() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        String last = nodes.followers().get(0);
        nodes.retried(last, ch -> {
            ch.exchangeDeclare("min.x", "fanout", true);
            ch.queueDeclare("min.q", true, false, false, null);
            ch.queueBind("min.q", "min.x", "");
        });
        for (String other : nodes.running()) {
            if (!other.equals(last)) {
                nodes.stop(other);
            }
        }
        ThreeNodes.await("no leader on " + last,
                () -> nodes.broker(last).cluster().orElseThrow().status().leader().isEmpty());
        refused(last, ch -> ch.queueDeclare("min.new", true, false, false, null));
        refused(last, ch -> ch.exchangeDeclare("min.newx", "direct", true));
        refused(last, ch -> ch.queueDelete("min.q"));
        refused(last, ch -> ch.exchangeDelete("min.x"));
        refused(last, ch -> ch.queueUnbind("min.q", "min.x", ""));
        refused(last, ch -> ch.queueDeclarePassive("min.q"));
        // Nothing was changed on the node: the refused deletions left queue, exchange and binding in place.
        var vhost = nodes.broker(last).engine().vhost("/").orElseThrow();
        assertThat(vhost.queue("min.q")).isPresent();
        assertThat(vhost.exchange("min.x")).isPresent();
        assertThat(vhost.bindingsTo(true, "min.q")).hasSize(1);
        // Transient and exclusive objects are the node's own and are still declared.
        try (Connection c = nodes.connect(last); Channel ch = c.createChannel()) {
            ch.queueDeclare("min.transient", false, false, true, null);
            ch.queueDeclare("", false, true, true, null);
        }
    }

    @Test
    void raftStateIsInPrometheusAndTheApi() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        String leader = nodes.leader();
        String follower = nodes.followers().get(0);
        try (Connection c = nodes.connect(follower); Channel ch = c.createChannel()) {
            ch.queueDeclare("metrics.q", true, false, false, null);
        }
        String tags = "group=\"metadata\",node=\"" + leader + "\"";
        ThreeNodes.await("the follower's lag known on the leader", () -> nodes.http(leader, "GET", "/metrics", null)
                .body().contains("junction_cluster_follower_lag{follower=\"" + follower + "\"," + tags + "} 0.0"));
        String metrics = nodes.http(leader, "GET", "/metrics", null).body();
        assertThat(metrics).contains("junction_cluster_leader{" + tags + "} 1.0", "junction_cluster_term{" + tags,
                "junction_cluster_commit_index{" + tags, "junction_cluster_applied_index{" + tags,
                "junction_cluster_leader_changes_total{" + tags);
        // At least the election that made the leader.
        assertThat(metrics).doesNotContain("junction_cluster_leader_changes_total{" + tags + "} 0.0");
        assertThat(nodes.http(follower, "GET", "/metrics", null).body())
                .contains("junction_cluster_leader{group=\"metadata\",node=\"" + follower + "\"} 0.0");
        assertThat(nodes.http(follower, "GET", "/api/cluster", null).body()).contains("\"leader_changes\":");
    }

    /** The refusal a node without a leader gives: AMQP 541, which closes the connection, with the reason. */
    private void refused(String node, ThreeNodes.ChannelAction action) throws Exception {
        Connection c = nodes.connect(node);
        try {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> action.run(ch)).hasStackTraceContaining("541")
                    .hasStackTraceContaining("no leader for the metadata group");
        } finally {
            c.abort();
        }
    }
}
