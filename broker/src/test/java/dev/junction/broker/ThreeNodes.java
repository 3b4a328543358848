package dev.junction.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.config.ClusterPeer;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Three brokers in one JVM as a cluster, for tests: free ports, one directory each under a test's temporary
 * directory, stock-client connections and management API calls by node id. {@link #close} stops every broker.
 */
final class ThreeNodes implements AutoCloseable {

    static final String[] IDS = {"n1", "n2", "n3"};

    private final Path dir;
    private final int[] raftPorts;
    private final String clusterSettings;
    private final String extraConfig;
    private final Map<String, Broker> brokers = new TreeMap<>();
    private final Map<String, String> nodeConfig = new TreeMap<>();

    /** {@code extraConfig}: more top-level YAML every node gets (users, for instance). */
    ThreeNodes(Path dir, String extraConfig) throws IOException {
        this(dir, "", extraConfig);
    }

    /**
     * {@code clusterSettings}: more lines of the {@code cluster} section, each indented by two spaces
     * ({@code snapshot_interval_entries}, for instance).
     */
    ThreeNodes(Path dir, String clusterSettings, String extraConfig) throws IOException {
        this.dir = dir;
        this.raftPorts = freePortPairs(3);
        this.clusterSettings = clusterSettings;
        this.extraConfig = extraConfig;
    }

    /** More top-level YAML for node {@code id} alone, from its next start on (a {@code definitions_file}, say). */
    ThreeNodes nodeConfig(String id, String yaml) {
        nodeConfig.put(id, yaml);
        return this;
    }

    ThreeNodes startAll() throws Exception {
        for (String id : IDS) {
            start(id);
        }
        awaitLeaderEverywhere();
        return this;
    }

    void start(String id) throws Exception {
        brokers.put(id, Broker.start(ConfigLoader.parse(config(id), "test.yaml")));
    }

    void stop(String id) {
        Broker b = brokers.remove(id);
        if (b != null) {
            b.close();
        }
    }

    /** Stops every node at once: most of a stop is its Raft servers closing, which the nodes need not take in turn. */
    void stopAll() throws InterruptedException {
        List<Thread> stopping = new ArrayList<>();
        for (Broker b : brokers.values()) {
            Thread t = new Thread(b::close, "stop-" + stopping.size());
            t.start();
            stopping.add(t);
        }
        brokers.clear();
        for (Thread t : stopping) {
            t.join();
        }
    }

    Broker broker(String id) {
        return brokers.get(id);
    }

    /** The port the node's metadata group listens on. */
    int raftPort(String id) {
        return raftPorts[List.of(IDS).indexOf(id)];
    }

    List<String> running() {
        return List.copyOf(brokers.keySet());
    }

    String leader() {
        return brokers.values().iterator().next().cluster().orElseThrow().status().leader();
    }

    /** The running nodes other than the leader. */
    List<String> followers() {
        String leader = leader();
        return running().stream().filter(id -> !id.equals(leader)).toList();
    }

    void awaitLeaderEverywhere() throws Exception {
        await("a leader known on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
    }

    Connection connect(String id) throws Exception {
        return connect(id, "guest", "guest");
    }

    Connection connect(String id, String user, String password) throws Exception {
        return connect(id, user, password, "/");
    }

    Connection connect(String id, String user, String password, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setVirtualHost(vhost);
        f.setPort(brokers.get(id).address("amqp").getPort());
        f.setUsername(user);
        f.setPassword(password);
        return f.newConnection();
    }

    /**
     * Runs idempotent declarations on {@code id}, again while it refuses them for want of a leader: on a loaded
     * machine an election can happen at any time, and a client then retries as it would against any node.
     */
    void retried(String id, ChannelAction action) throws Exception {
        await("declarations accepted on " + id, () -> {
            try (Connection c = connect(id); Channel ch = c.createChannel()) {
                action.run(ch);
                return true;
            } catch (Exception e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                if (trace.toString().contains("no leader for the metadata group")) {
                    return false;
                }
                throw e;
            }
        });
    }

    HttpResponse<String> http(String id, String method, String path, String body) throws Exception {
        return http(brokers.get(id), method, path, body);
    }

    /** A management API call as guest to {@code broker}, in a cluster or not. */
    static HttpResponse<String> http(Broker broker, String method, String path, String body) throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.address("http").getPort() + path))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        List.copyOf(brokers.keySet()).forEach(this::stop);
    }

    private String config(String id) {
        int i = List.of(IDS).indexOf(id);
        StringBuilder peers = new StringBuilder();
        for (int p = 0; p < 3; p++) {
            peers.append("    - { id: ").append(IDS[p]).append(", address: \"127.0.0.1:").append(raftPorts[p])
                    .append("\" }\n");
        }
        return listenersAndStore(dir.resolve(id + "/data")) + """
                cluster:
                  node_id: %s
                  bind: 127.0.0.1
                  port: %d
                  dir: "%s"
                  election_timeout_min_ms: 500
                  election_timeout_max_ms: 1000
                """.formatted(id, raftPorts[i], dir.resolve(id + "/raft"))
                + clusterSettings + "  peers:\n" + peers + extraConfig + nodeConfig.getOrDefault(id, "");
    }

    /** A node's listeners, each on a port of its own choosing, and its message store in {@code storage}. */
    static String listenersAndStore(Path storage) {
        return """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(storage);
    }

    /**
     * Ports p whose p + ClusterPeer.QUORUM_PORT_OFFSET is free too (a node's quorum groups listen there), held together until all are chosen so
     * that no node's p or p + offset is another's.
     */
    private static int[] freePortPairs(int n) throws IOException {
        // A Raft server that cannot bind would end this JVM (Ratis's ExitUtils); it throws instead.
        org.apache.ratis.util.ExitUtils.disableSystemExit();
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; ) {
                // Below the ephemeral range: a node started again binds the same ports, which an outgoing
                // connection could otherwise have taken meanwhile.
                ServerSocket s;
                try {
                    s = new ServerSocket(10000 + java.util.concurrent.ThreadLocalRandom.current()
                            .nextInt(32768 - ClusterPeer.QUORUM_PORT_OFFSET - 10000));
                } catch (IOException taken) {
                    continue;
                }
                held.add(s);
                try {
                    held.add(new ServerSocket(s.getLocalPort() + ClusterPeer.QUORUM_PORT_OFFSET));
                    ports[i++] = s.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    static void await(String what, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    interface CheckedCondition {
        boolean holds() throws Exception;
    }

    interface ChannelAction {
        void run(Channel ch) throws IOException;
    }
}
