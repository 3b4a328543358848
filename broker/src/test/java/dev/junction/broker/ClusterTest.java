package dev.junction.broker;

import static dev.junction.broker.ThreeNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.cluster.ClusterStatus;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three brokers in one JVM as a cluster (docs/cluster.md): what a stock AMQP 0-9-1 client declares on one node is
 * found on the others, declarations go on after the leader stops, a node left alone refuses them, and a node
 * that was stopped catches up with the declarations and deletions it missed, with snapshots being taken.
 */
class ClusterTest extends OnThreeNodes {

    /** Every 5 entries a snapshot, and 1 KB log segments, so that a node left behind needs the snapshot. */
    private static final String SNAPSHOTS = """
              snapshot_interval_entries: 5
              log_segment_bytes: 1024
            """;

    private Broker alone;

    @AfterEach
    void stopAlone() {
        if (alone != null) {
            alone.close();
        }
    }

    @Test
    void definitionsDeclaredOnOneNodeReachEveryNodeAndSurviveTheLeader() throws Exception {
        nodes = new ThreeNodes(dir, SNAPSHOTS, "").startAll();

        nodes.retried("n1", ch -> {
            ch.exchangeDeclare("cluster.x", "direct", true);
            // A classic queue: each node's copy counts the messages published on that node (docs/cluster.md).
            ch.queueDeclare("cluster.q", true, false, false, Map.of("x-queue-type", "classic"));
            ch.queueBind("cluster.q", "cluster.x", "k");
        });
        for (String node : List.of("n2", "n3")) {
            await("the queue on " + node, () -> passiveQueue(node, "cluster.q"));
            try (Connection c = nodes.connect(node); Channel ch = c.createChannel()) {
                ch.exchangeDeclarePassive("cluster.x");
                // The binding is there: a message published to the exchange on this node lands in its queue.
                ch.basicPublish("cluster.x", "k", null, "m".getBytes(StandardCharsets.UTF_8));
                await("the binding on " + node, () -> messages(node, "cluster.q") == 1);
            }
        }
        assertThat(ctl("n3", "cluster_status")).contains("Cluster status of node n3", "leader\tn",
                "id\taddress\tleader\tcommit_index\tapplied_index\tlag", "n1\t127.0.0.1:" + nodes.raftPort("n1"));
        assertThat(api("n2", "/api/cluster")).contains("\"leader\":\"", "\"members\":[", "\"commit_index\":",
                "\"applied_index\":", "\"lag\":", "\"id\":\"n3\"");

        String leader = nodes.leader();
        nodes.stop(leader);
        List<String> left = nodes.running();
        await("a new leader", () -> left.stream().allMatch(id -> {
            ClusterStatus s = nodes.broker(id).cluster().orElseThrow().status();
            return !s.leader().isEmpty() && !s.leader().equals(leader);
        }));
        nodes.retried(left.get(0), ch -> ch.queueDeclare("cluster.after", true, false, false, null));
        await("the later queue on " + left.get(1), () -> passiveQueue(left.get(1), "cluster.after"));

        // Alone, the last node has no majority: it refuses a durable declaration with AMQP 541 and says why.
        nodes.stop(left.get(1));
        String last = left.get(0);
        await("no leader on " + last, () -> nodes.broker(last).cluster().orElseThrow().status().leader().isEmpty());
        Connection c = nodes.connect(last);
        try {
            Channel ch = c.createChannel();
            // 541 closes the connection, as the store's own refusal (disk failing) does.
            assertThatThrownBy(() -> ch.queueDeclare("cluster.alone", true, false, false, null))
                    .hasStackTraceContaining("541")
                    .hasStackTraceContaining("no leader for the metadata group");
        } finally {
            c.abort();
        }
        nodes.close();
        try {
            await("the Raft threads gone", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(ClusterTest::raftThreadLeft));
        } catch (AssertionError e) {
            StringBuilder running = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                if (raftThreadLeft(t)) {
                    running.append("\n").append(t.getName()).append(java.util.Arrays.toString(stack));
                }
            });
            throw new AssertionError(e.getMessage() + "; still running:" + running, e);
        }
    }

    /**
     * A Raft thread of a group that outlived the nodes' close. Not a {@code FollowerState}: the last node, alone and
     * going from follower to candidate and back, can be closed while a role change starts a new one, which Ratis 3.2
     * then never stops (its close stops the follower state it knows of, asynchronously; upstream reports of the same
     * race: RATIS-1490, RATIS-2174). That thread only sleeps between checks of a closed division and holds no port
     * or file; it failed this test about once in seven full runs. Every other Raft thread must be gone.
     */
    private static boolean raftThreadLeft(Thread t) {
        return t.isAlive() && t.getName().contains("@group-") && !t.getName().endsWith("-FollowerState");
    }

    @Test
    void aNodeThatWasDownCatchesUpWithWhatItMissed() throws Exception {
        nodes = new ThreeNodes(dir, SNAPSHOTS, "").startAll();
        // The leader declares; a follower is stopped, so the two left keep their leader and need no election.
        String declaring = nodes.leader();
        int stopped = declaring.equals("n3") ? 1 : 2;
        String down = ThreeNodes.IDS[stopped];
        nodes.retried(declaring, ch -> ch.queueDeclare("doomed", true, false, false, null));
        await("doomed on " + down, () -> passiveQueue(down, "doomed"));
        long downApplied = nodes.broker(down).cluster().orElseThrow().status().members().get(stopped).appliedIndex();
        nodes.stop(down);

        nodes.retried(declaring, ch -> {
            ch.queueDelete("doomed");
            for (int i = 0; i < 30; i++) {
                ch.queueDeclare("later-" + i, true, false, false, null);
            }
        });
        // Every 5 entries a snapshot, and the closed 1 KB segments before it purged: the leader's log no longer
        // holds what the stopped node lacks, so it can only catch up from the leader's snapshot.
        await("the leader's log purged past " + down, () -> firstLogIndex(declaring) > downApplied + 1);
        nodes.start(down);
        for (int i = 0; i < 30; i++) {
            String queue = "later-" + i;
            await(queue + " on " + down, () -> passiveQueue(down, queue));
        }
        await("doomed gone from " + down, () -> !passiveQueue(down, "doomed"));
    }

    /**
     * The first index in the node's Raft log files ({@code log_<first>-<last>}, {@code log_inprogress_<first>});
     * 0 while Ratis renames one under the walk (the caller asks again).
     */
    private long firstLogIndex(String node) {
        try (var files = java.nio.file.Files.walk(dir.resolve(node + "/raft"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("log_"))
                    .mapToLong(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "")
                            .split("-")[0]))
                    .min().orElse(0);
        } catch (IOException | java.io.UncheckedIOException renamedUnderTheWalk) {
            return 0;
        }
    }

    @Test
    void withoutAClusterSectionThereIsNoClusterAndTheApiSaysSo() throws Exception {
        alone = Broker.start(ConfigLoader.parse(ThreeNodes.listenersAndStore(dir.resolve("alone")), "test.yaml"));
        assertThat(alone.cluster()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().toLowerCase().contains("raft"));
        HttpResponse<String> res = ThreeNodes.http(alone, "GET", "/api/cluster", null);
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).contains("not in a cluster");
    }

    private boolean passiveQueue(String node, String queue) {
        try (Connection c = nodes.connect(node); Channel ch = c.createChannel()) {
            ch.queueDeclarePassive(queue);
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }

    private long messages(String node, String queue) throws Exception {
        try (Connection c = nodes.connect(node); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private String ctl(String node, String verb) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = dev.junction.broker.ctl.Ctl.run(List.of("--host", "127.0.0.1", "--port",
                        String.valueOf(nodes.broker(node).address("http").getPort()), "--user", "guest", "--password",
                        "guest", verb), null, java.io.InputStream.nullInputStream(),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private String api(String node, String path) throws Exception {
        HttpResponse<String> res = nodes.http(node, "GET", path, null);
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }
}
