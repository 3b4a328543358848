package dev.junction.conformance.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.junction.broker.ctl.Ctl;
import dev.junction.cluster.ClusterMember;
import dev.junction.cluster.GroupStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes (docs/cluster.md, "Membership changes") on brokers in one JVM: three nodes, then a fourth
 * started with {@code join: true} and added through the management API; it catches up (the exchange, queue and
 * binding declared before it joined, and a quorum queue's messages, consumed there); a node removed with
 * {@code ctl forget_cluster_node} and stopped, and the cluster goes on, its {@code follower_lag} series gone from
 * {@code /metrics}; and the refusals (already a member, not a member, with ctl printing the API's reason, not an
 * administrator, a removal that would leave the members left without a majority in contact).
 */
@Timeout(300)
class ClusterMembershipTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");
    /** m.q is the classic queue beside the quorum one: said so, since a cluster's default type is quorum. */
    private static final Map<String, Object> CLASSIC = Map.of("x-queue-type", "classic");

    @TempDir
    Path dir;
    private Members nodes;

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aFourthNodeJoinsCatchesUpAndANodeLeaves() throws Exception {
        nodes = new Members(dir);
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.start(id, false);
        }
        Members.await("a metadata leader on every node", () -> List.of("n1", "n2", "n3").stream()
                .allMatch(id -> !nodes.status(id).leader().isEmpty()));
        nodes.declare("n1", ch -> {
            ch.exchangeDeclare("m.x", "direct", true);
            ch.queueDeclare("m.q", true, false, false, CLASSIC);
            ch.queueBind("m.q", "m.x", "k");
            ch.queueDeclare("m.qq", true, false, false, QUORUM);
        });
        publishConfirmed("n1", "m.qq", 0, 20);
        assertThat(nodes.http("n1", "guest", "PUT", "/api/users/watcher",
                "{\"password\":\"watcher\",\"tags\":\"monitoring\"}").statusCode()).isIn(201, 204);

        // The new node lists every member and itself; until it is added it waits, outside every group.
        nodes.start("n4", true);
        assertThat(nodes.status("n4").members()).extracting(ClusterMember::id).doesNotContain("n4");
        String add = "{\"address\":\"" + nodes.raftAddress("n4") + "\",\"quorum_address\":\""
                + nodes.quorumAddress("n4") + "\"}";
        assertThat(nodes.http("n2", "watcher", "POST", "/api/cluster/members/n4", add).statusCode()).isEqualTo(401);
        // Moving leaders is a membership operation too: the administrator tag, as rabbitmq-queues rebalance needs.
        assertThat(nodes.http("n2", "watcher", "POST", "/api/cluster/rebalance", "").statusCode()).isEqualTo(401);
        HttpResponse<String> again = outsideElections("n2", "/api/cluster/members/n1",
                "{\"address\":\"" + nodes.raftAddress("n1") + "\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("'n1' is already a member");

        HttpResponse<String> added = outsideElections("n2", "/api/cluster/members/n4", add);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(added.body()).contains("\"metadata\":\"added\"", "\"quorum-0\":\"added\"", "\"quorum-3\":\"added\"");
        Members.await("n4 a member with a leader", () -> !nodes.status("n4").leader().isEmpty()
                && nodes.status("n4").members().stream().anyMatch(m -> m.id().equals("n4") && m.self()));
        for (String id : List.of("n1", "n4")) {
            assertThat(nodes.status(id).members()).extracting(ClusterMember::id)
                    .containsExactly("n1", "n2", "n3", "n4");
            for (GroupStatus g : nodes.status(id).quorumGroups()) {
                assertThat(g.members()).as(g.name()).extracting(ClusterMember::id)
                        .containsExactly("n1", "n2", "n3", "n4");
            }
        }
        // What was declared before it joined, through the metadata log it caught up with.
        Members.await("the definitions on n4", () -> {
            try (Connection c = nodes.connect("n4"); Channel ch = c.createChannel()) {
                ch.exchangeDeclarePassive("m.x");
                ch.queueDeclarePassive("m.q");
                return true;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        // The quorum queue's messages, published before it joined, from its own replica of the group's log.
        try (Connection c = nodes.connect("n4"); Channel ch = c.createChannel()) {
            BlockingQueue<String> got = consume(ch, "m.qq");
            for (int i = 0; i < 20; i++) {
                assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("m" + i);
            }
        }

        // ctl's verb for a removal, as rabbitmqctl's; then the node is stopped.
        String[] ctl = ctl("n1", "forget_cluster_node", "n2");
        assertThat(ctl[0]).as(ctl[1]).isEqualTo("0");
        assertThat(ctl[1]).contains("node n2 removed from the cluster");
        nodes.stop("n2");
        assertThat(nodes.status("n1").members()).extracting(ClusterMember::id).containsExactly("n1", "n3", "n4");
        Members.await("n2 not a member any more (404)", () -> {
            int code = nodes.http("n1", "guest", "DELETE", "/api/cluster/members/n2", null).statusCode();
            assertThat(code).isIn(404, 503); // 503: an election, if n2 led the metadata group
            return code == 404;
        });
        // The lag series follow the configuration: n2's go, n4's are there (they stayed, NaN, before).
        Members.await("n2's follower_lag series gone from n1's /metrics", () -> !nodes.http("n1", "guest", "GET",
                "/metrics", null).body().contains("follower=\"n2\""));
        assertThat(nodes.http("n1", "guest", "GET", "/metrics", null).body())
                .contains("junction_cluster_follower_lag{follower=\"n4\",group=\"quorum-3\",node=\"n1\"}");
        // ctl prints the API's reason for a 404, as for a 409 (it printed only what it had looked for before).
        String[] notMember = ctl("n1", "forget_cluster_node", "n9");
        assertThat(notMember[0]).isEqualTo("2");
        assertThat(notMember[1]).contains("'n9' is not a member of the cluster");

        // The cluster goes on with three members: declarations, publishes and consumers on any of them.
        nodes.declare("n3", ch -> ch.queueDeclare("m.after", true, false, false, null));
        publishConfirmed("n1", "m.qq", 20, 30);
        try (Connection c = nodes.connect("n4"); Channel ch = c.createChannel()) {
            ch.queueDeclarePassive("m.after");
            BlockingQueue<String> got = consume(ch, "m.qq");
            for (int i = 20; i < 30; i++) {
                assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("m" + i);
            }
        }
        String[] status = ctl("n4", "cluster_status");
        assertThat(status[1]).contains("group\trole\tleader\tterm", "quorum-0\t", "quorum-3\t");
        assertThat(nodes.http("n4", "guest", "GET", "/metrics", null).body())
                .contains("junction_cluster_leader{group=\"quorum-0\",node=\"n4\"}",
                        "junction_cluster_leader_changes_total{group=\"quorum-3\",node=\"n4\"}");

        // With n3 down, removing n4 would leave n1 and n3, of which only n1 answers: refused, nothing changed.
        nodes.stop("n3");
        Members.await("a leader other than n3", () -> !nodes.status("n1").leader().isEmpty()
                && !nodes.status("n1").leader().equals("n3"));
        Thread.sleep(5_000); // longer than the leader takes to judge n3 silent (three election timeouts)
        Members.await("the removal refused for want of a majority", () -> {
            HttpResponse<String> r = nodes.http("n1", "guest", "DELETE", "/api/cluster/members/n4", null);
            if (r.statusCode() == 503) {
                return false; // an election
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(r.body()).contains("in contact with the leader");
            return true;
        });
        assertThat(nodes.status("n1").members()).extracting(ClusterMember::id).containsExactly("n1", "n3", "n4");
    }

    /**
     * A membership {@code POST} as guest, asked again while the node answers 503 because it knows no metadata leader
     * at that moment (an election: on a loaded machine the nodes' elections can time out while a fourth starts).
     */
    private HttpResponse<String> outsideElections(String node, String path, String body) throws Exception {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        Members.await("an answer from " + node + " outside an election", () -> {
            last.set(nodes.http(node, "guest", "POST", path, body));
            return last.get().statusCode() != 503 || !last.get().body().contains("knows no leader");
        });
        return last.get();
    }

    private void publishConfirmed(String node, String queue, int from, int to) throws Exception {
        try (Connection c = nodes.connect(node); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (int i = from; i < to; i++) {
                ch.basicPublish("", queue, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static BlockingQueue<String> consume(Channel ch, String queue) throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        ch.basicQos(50);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws java.io.IOException {
                try {
                    // Acked before the test sees it, so closing the channel after the last one returns nothing.
                    ch.basicAck(env.getDeliveryTag(), false);
                } catch (com.rabbitmq.client.AlreadyClosedException closing) {
                    return; // a delivery racing the test's close of the channel; it goes back to the queue
                }
                got.add(new String(body, StandardCharsets.UTF_8));
            }
        });
        return got;
    }

    /** Runs {@code junction ctl} against the node's API; returns the exit code and standard output + error. */
    private String[] ctl(String node, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> line = new java.util.ArrayList<>(List.of("--url", "http://guest:guest@127.0.0.1:"
                + nodes.httpPort(node)));
        line.addAll(List.of(args));
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Ctl.run(line, Path.of("absent.yaml"), new ByteArrayInputStream(new byte[0]), print, print);
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8)};
    }
}
