package dev.junction.conformance.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.config.ClusterPeer;
import dev.junction.conformance.BrokerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Three broker processes of the packaged jar as a cluster, for the fault and partition tests: each node has its own
 * directory, config file and ports (AMQP, MQTT, HTTP, Raft and the quorum port after it), chosen free once and kept
 * across restarts, so a node killed with SIGKILL starts again where its clients and peers knew it. A node can be
 * paused (SIGSTOP) and resumed (SIGCONT). What the tests need of the nodes' Raft state they read from
 * {@code GET /api/cluster} and {@code GET /api/cluster/queues/{vhost}/{name}}.
 */
public final class ProcessCluster implements AutoCloseable {
    public static final String[] IDS = ClusterPeers.IDS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Basic " + Base64.getEncoder()
            .encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));

    private final Path dir;
    private final int[] raftPorts;
    /** Per node: AMQP, MQTT, HTTP. */
    private final Map<String, int[]> clientPorts = new HashMap<>();
    private final Map<String, BrokerProcess> running = new ConcurrentHashMap<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Non-null: each node runs in a network namespace of its own (see {@link Namespaces}). */
    private final Namespaces network;

    public ProcessCluster(Path dir) throws Exception {
        this(dir, null);
    }

    /**
     * As above, each node in its own namespace of {@code network}: its Raft ports on its Raft address, its listeners
     * on its client address, each on the protocol's usual port (the namespace's ports are its own), and guest allowed
     * from the test's address, which is not the node's loopback.
     */
    public ProcessCluster(Path dir, Namespaces network) throws Exception {
        this.dir = dir;
        this.network = network;
        this.raftPorts = new int[IDS.length];
        if (network == null) {
            choosePorts();
        } else {
            for (int i = 0; i < IDS.length; i++) {
                raftPorts[i] = 7001;
                clientPorts.put(IDS[i], new int[] {5672, 1883, 15672});
            }
        }
        ExecutorService starting = Executors.newFixedThreadPool(IDS.length);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (String id : IDS) {
                all.add(starting.submit(() -> {
                    start(id);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            starting.shutdown();
        }
        metadataLeader();
    }

    /**
     * Raft port pairs (p, p + ClusterPeer.QUORUM_PORT_OFFSET) and the client ports, all held at once so that none is
     * chosen twice, below the ephemeral range so that no outgoing connection takes one while its node is down.
     */
    private void choosePorts() throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < IDS.length; ) {
                ServerSocket s = ClusterPeers.belowEphemeralRange();
                held.add(s);
                try {
                    held.add(new ServerSocket(s.getLocalPort() + ClusterPeer.QUORUM_PORT_OFFSET));
                    raftPorts[i++] = s.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
            for (String id : IDS) {
                int[] ports = new int[3];
                for (int k = 0; k < ports.length; k++) {
                    ServerSocket s = ClusterPeers.belowEphemeralRange();
                    held.add(s);
                    ports[k] = s.getLocalPort();
                }
                clientPorts.put(id, ports);
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Starts (or starts again) node {@code id} on its directory and ports; returns once AMQP listens. */
    public void start(String id) throws Exception {
        int i = List.of(IDS).indexOf(id);
        int[] p = clientPorts.get(id);
        if (network == null) {
            String cluster = ClusterPeers.section(i, raftPorts, dir.resolve(id + "-raft"), 1000, 2000);
            running.put(id, BrokerProcess.start(dir.resolve(id), p[0], p[1], p[2], cluster));
            return;
        }
        String[] hosts = new String[IDS.length];
        for (int k = 0; k < IDS.length; k++) {
            hosts[k] = network.raftAddress(IDS[k]);
        }
        // Not loopback, and without TLS here: the Raft bridge is the test's own.
        String cluster = ClusterPeers.section(i, hosts, raftPorts, dir.resolve(id + "-raft"), 1000, 2000)
                + "  allow_insecure: true\n" + """
                users:
                  - name: guest
                    password: guest
                    tags: [administrator]
                    loopback_only: false
                    permissions:
                      "/": { configure: ".*", write: ".*", read: ".*" }
                """;
        running.put(id, BrokerProcess.start(dir.resolve(id), network.clientAddress(id), p[0], p[1], p[2], cluster,
                network.launcher(id)));
    }

    /** Where the test's clients reach node {@code id}. */
    public String host(String id) {
        return network == null ? "127.0.0.1" : network.clientAddress(id);
    }

    /** SIGKILL. */
    public void kill(String id) throws InterruptedException {
        BrokerProcess p = running.remove(id);
        paused.remove(id);
        if (p != null) {
            p.kill();
        }
    }

    /** SIGTERM: a graceful stop, as an operator's restart does; returns once the process ended. */
    public void stop(String id) throws InterruptedException {
        BrokerProcess p = running.remove(id);
        paused.remove(id);
        if (p != null) {
            p.close();
        }
    }

    public void pause(String id) throws Exception {
        running.get(id).pause();
        paused.add(id);
    }

    public void resume(String id) throws Exception {
        paused.remove(id);
        running.get(id).resume();
    }

    public int amqpPort(String id) {
        return clientPorts.get(id)[0];
    }

    public int mqttPort(String id) {
        return clientPorts.get(id)[1];
    }

    /** The nodes running and not paused. */
    public List<String> live() {
        List<String> out = new ArrayList<>();
        for (String id : IDS) {
            if (running.containsKey(id) && !paused.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** {@code GET path} on node {@code id}'s API; null when the node does not answer (down, paused, 404). */
    public JsonNode api(String id, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host(id) + ":" + clientPorts.get(id)[2] + path))
                .header("Authorization", AUTH).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException notUp) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The metadata group's leader, once every live node names the same one and it is live. */
    public String metadataLeader() throws Exception {
        return agreed("a metadata leader", id -> {
            JsonNode s = api(id, "/api/cluster");
            return s == null ? "" : s.path("leader").asText();
        });
    }

    /** The leader of the quorum group {@code queue} (vhost "/") is placed on, once every live node agrees. */
    public String queueLeader(String queue) throws Exception {
        String path = "/api/cluster/queues/%2F/" + URLEncoder.encode(queue, StandardCharsets.UTF_8);
        return agreed("a leader of " + queue + "'s group", id -> {
            JsonNode s = api(id, path);
            return s == null ? "" : s.path("leader").asText();
        });
    }

    private String agreed(String what, java.util.function.Function<String, String> leaderOn) throws Exception {
        String[] found = new String[1];
        await(what, () -> {
            List<String> live = live();
            String first = null;
            for (String id : live) {
                String l = leaderOn.apply(id);
                if (l.isEmpty() || (first != null && !first.equals(l))) {
                    return false;
                }
                first = l;
            }
            found[0] = first;
            return first != null && live.contains(first);
        });
        return found[0];
    }

    /**
     * Waits until node {@code id} has applied, in the metadata group and in every quorum group, at least what each
     * group's leader had committed when this was called (read once the leaders are known): it has caught up.
     */
    public void awaitCaughtUp(String id) throws Exception {
        metadataLeader();
        Map<String, Long> target = new HashMap<>();
        await("the commit indexes of every group's leader", () -> {
            target.clear();
            for (String node : live()) {
                JsonNode s = api(node, "/api/cluster");
                if (s == null) {
                    return false;
                }
                if (s.path("role").asText().equals("LEADER")) {
                    for (JsonNode m : s.path("members")) {
                        if (m.path("self").asBoolean()) {
                            target.put("metadata", m.path("commit_index").asLong());
                        }
                    }
                }
                for (JsonNode g : s.path("quorum_groups")) {
                    if (g.path("role").asText().equals("LEADER")) {
                        target.put("quorum-" + g.path("group").asInt(), g.path("commit_index").asLong());
                    }
                }
            }
            JsonNode mine = api(id, "/api/cluster");
            return mine != null && target.size() == 1 + mine.path("quorum_groups").size();
        });
        await(id + " caught up with " + target, () -> {
            JsonNode s = api(id, "/api/cluster");
            if (s == null) {
                return false;
            }
            for (JsonNode m : s.path("members")) {
                if (m.path("self").asBoolean() && m.path("applied_index").asLong() < target.get("metadata")) {
                    return false;
                }
            }
            for (JsonNode g : s.path("quorum_groups")) {
                if (g.path("applied_index").asLong() < target.get("quorum-" + g.path("group").asInt())) {
                    return false;
                }
            }
            return true;
        });
    }

    public Connection connect(String id) throws Exception {
        return connect(id, 0);
    }

    /** An AMQP connection to {@code id} asking for heartbeats every {@code heartbeatSeconds} (0: the default). */
    public Connection connect(String id, int heartbeatSeconds) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host(id));
        f.setPort(amqpPort(id));
        if (heartbeatSeconds > 0) {
            f.setRequestedHeartbeat(heartbeatSeconds);
        }
        f.setConnectionTimeout(3000);
        f.setHandshakeTimeout(5000);
        return f.newConnection();
    }

    /**
     * Runs idempotent declarations on {@code id}, again while it refuses them for want of a metadata leader, and
     * while its connection cannot be opened (on a busy machine the handshake can outlast its timeout).
     */
    public void declare(String id, ChannelAction action) throws Exception {
        await("declarations accepted on " + id, () -> {
            Connection opened;
            try {
                opened = connect(id);
            } catch (IOException | TimeoutException notYet) {
                return false;
            }
            try (Connection c = opened; Channel ch = c.createChannel()) {
                action.run(ch);
                return true;
            } catch (Exception e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                if (trace.toString().contains("541")) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** What node {@code id} logged, for a failure's message. */
    public String log(String id) {
        BrokerProcess p = running.get(id);
        return p == null ? "(not running)" : p.log();
    }

    public interface ChannelAction {
        void run(Channel ch) throws Exception;
    }

    /** Waits for {@code condition} with a generous deadline (the machine may be busy): outcomes, not timings. */
    public static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (BrokerProcess p : running.values()) {
            p.close();
        }
        running.clear();
        paused.clear();
    }
}
