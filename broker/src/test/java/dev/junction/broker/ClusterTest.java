package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.cluster.ClusterStatus;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in one JVM as a cluster (docs/cluster.md): what a stock AMQP 0-9-1 client declares on one node is
 * found on the others, declarations go on after the leader stops, a node left alone refuses them, and a node
 * that was stopped catches up with the declarations and deletions it missed, with snapshots being taken.
 */
class ClusterTest {

    private static final String[] IDS = {"n1", "n2", "n3"};

    @TempDir
    Path dir;
    private final Map<String, Broker> brokers = new java.util.TreeMap<>();

    @AfterEach
    void stopAll() {
        brokers.values().forEach(Broker::close);
    }

    @Test
    void definitionsDeclaredOnOneNodeReachEveryNodeAndSurviveTheLeader() throws Exception {
        int[] raftPorts = freePorts(3);
        for (int i = 0; i < 3; i++) {
            brokers.put(IDS[i], Broker.start(ConfigLoader.parse(config(i, raftPorts), "test.yaml")));
        }
        awaitLeaderEverywhere();

        onNode("n1", ch -> {
            ch.exchangeDeclare("cluster.x", "direct", true);
            ch.queueDeclare("cluster.q", true, false, false, null);
            ch.queueBind("cluster.q", "cluster.x", "k");
        });
        for (String node : List.of("n2", "n3")) {
            await("the queue on " + node, () -> passiveQueue(node, "cluster.q"));
            try (Connection c = connect(node); Channel ch = c.createChannel()) {
                ch.exchangeDeclarePassive("cluster.x");
                // The binding is there: a message published to the exchange on this node lands in its queue.
                ch.basicPublish("cluster.x", "k", null, "m".getBytes(StandardCharsets.UTF_8));
                await("the binding on " + node, () -> messages(node, "cluster.q") == 1);
            }
        }
        assertThat(ctl("n3", "cluster_status")).contains("Cluster status of node n3", "leader\tn",
                "id\taddress\tleader\tcommit_index\tapplied_index\tlag", "n1\t127.0.0.1:" + raftPorts[0]);
        assertThat(api("n2", "/api/cluster")).contains("\"leader\":\"", "\"members\":[", "\"commit_index\":",
                "\"applied_index\":", "\"lag\":", "\"id\":\"n3\"");

        String leader = brokers.get("n1").cluster().orElseThrow().status().leader();
        brokers.remove(leader).close();
        List<String> left = new ArrayList<>(brokers.keySet());
        await("a new leader", () -> brokers.values().stream().allMatch(b -> {
            ClusterStatus s = b.cluster().orElseThrow().status();
            return !s.leader().isEmpty() && !s.leader().equals(leader);
        }));
        onNode(left.get(0), ch -> ch.queueDeclare("cluster.after", true, false, false, null));
        await("the later queue on " + left.get(1), () -> passiveQueue(left.get(1), "cluster.after"));

        // Alone, the last node has no majority: it refuses a durable declaration with AMQP 541 and says why.
        brokers.remove(left.get(1)).close();
        String last = left.get(0);
        await("no leader on " + last, () -> brokers.get(last).cluster().orElseThrow().status().leader().isEmpty());
        Connection c = connect(last);
        try {
            Channel ch = c.createChannel();
            // 541 closes the connection, as the store's own refusal (disk failing) does.
            assertThatThrownBy(() -> ch.queueDeclare("cluster.alone", true, false, false, null))
                    .hasStackTraceContaining("541")
                    .hasStackTraceContaining("no leader for the metadata group");
        } finally {
            c.abort();
        }
        stopAll();
        brokers.clear();
        await("the Raft threads gone", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().contains("@group-")));
    }

    @Test
    void aNodeThatWasDownCatchesUpWithWhatItMissed() throws Exception {
        int[] raftPorts = freePorts(3);
        for (int i = 0; i < 3; i++) {
            brokers.put(IDS[i], Broker.start(ConfigLoader.parse(config(i, raftPorts), "test.yaml")));
        }
        awaitLeaderEverywhere();
        // The leader declares; a follower is stopped, so the two left keep their leader and need no election.
        String declaring = brokers.get("n1").cluster().orElseThrow().status().leader();
        int stopped = declaring.equals("n3") ? 1 : 2;
        String down = IDS[stopped];
        onNode(declaring, ch -> ch.queueDeclare("doomed", true, false, false, null));
        await("doomed on " + down, () -> passiveQueue(down, "doomed"));
        String downConfig = config(stopped, raftPorts);
        long downApplied = brokers.get(down).cluster().orElseThrow().status().members().get(stopped).appliedIndex();
        brokers.remove(down).close();

        onNode(declaring, ch -> {
            ch.queueDelete("doomed");
            for (int i = 0; i < 30; i++) {
                ch.queueDeclare("later-" + i, true, false, false, null);
            }
        });
        // Every 5 entries a snapshot, and the closed 1 KB segments before it purged: the leader's log no longer
        // holds what the stopped node lacks, so it can only catch up from the leader's snapshot.
        await("the leader's log purged past " + down, () -> firstLogIndex(declaring) > downApplied + 1);
        brokers.put(down, Broker.start(ConfigLoader.parse(downConfig, "test.yaml")));
        for (int i = 0; i < 30; i++) {
            String queue = "later-" + i;
            await(queue + " on " + down, () -> passiveQueue(down, queue));
        }
        await("doomed gone from " + down, () -> !passiveQueue(down, "doomed"));
    }

    private void awaitLeaderEverywhere() throws Exception {
        await("a leader known on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
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
        brokers.put("alone", Broker.start(ConfigLoader.parse("""
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(dir.resolve("alone")), "test.yaml")));
        assertThat(brokers.get("alone").cluster()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().toLowerCase().contains("raft"));
        HttpResponse<String> res = http("alone", "/api/cluster");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).contains("not in a cluster");
    }

    private String config(int i, int[] raftPorts) {
        StringBuilder peers = new StringBuilder();
        for (int p = 0; p < 3; p++) {
            peers.append("    - { id: ").append(IDS[p]).append(", address: \"127.0.0.1:").append(raftPorts[p])
                    .append("\" }\n");
        }
        return """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                cluster:
                  node_id: %s
                  bind: 127.0.0.1
                  port: %d
                  dir: "%s"
                  election_timeout_min_ms: 500
                  election_timeout_max_ms: 1000
                  snapshot_interval_entries: 5
                  log_segment_bytes: 1024
                  peers:
                """.formatted(dir.resolve(IDS[i] + "/data"), IDS[i], raftPorts[i], dir.resolve(IDS[i] + "/raft"))
                + peers;
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    private Connection connect(String node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(node).address("amqp").getPort());
        return f.newConnection();
    }

    /**
     * Runs idempotent declarations on {@code node}, again while it refuses them for want of a leader: on a loaded
     * machine an election can happen at any time, and a client then retries as it would against any node.
     */
    private void onNode(String node, ChannelAction action) throws Exception {
        await("declarations accepted on " + node, () -> {
            try (Connection c = connect(node); Channel ch = c.createChannel()) {
                action.run(ch);
                return true;
            } catch (Exception e) {
                java.io.StringWriter trace = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(trace));
                if (trace.toString().contains("no leader for the metadata group")) {
                    return false;
                }
                throw e;
            }
        });
    }

    private interface ChannelAction {
        void run(Channel ch) throws IOException;
    }

    private boolean passiveQueue(String node, String queue) {
        try (Connection c = connect(node); Channel ch = c.createChannel()) {
            ch.queueDeclarePassive(queue);
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }

    private long messages(String node, String queue) throws Exception {
        try (Connection c = connect(node); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private String ctl(String node, String verb) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = dev.junction.broker.ctl.Ctl.run(List.of("--host", "127.0.0.1", "--port",
                        String.valueOf(brokers.get(node).address("http").getPort()), "--user", "guest", "--password",
                        "guest", verb), null, java.io.InputStream.nullInputStream(),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> http(String node, String path) throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + brokers.get(node).address("http").getPort() + path))
                .header("Authorization", "Basic " + auth).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String api(String node, String path) throws Exception {
        HttpResponse<String> res = http(node, path);
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    private static void await(String what, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private interface CheckedCondition {
        boolean holds() throws Exception;
    }
}
