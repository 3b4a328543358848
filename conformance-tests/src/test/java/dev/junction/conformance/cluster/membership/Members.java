package dev.junction.conformance.cluster.membership;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.cluster.ClusterStatus;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Up to four brokers in one JVM for membership changes: each with a Raft port and a quorum port of its own
 * ({@code cluster.quorum_port} and the peers' {@code quorum_address}, all free ports), a directory per node, the
 * stock AMQP 0-9-1 client, and the management API over plain {@code java.net.http}. The first three form the
 * cluster; a node started with {@code join} lists them and itself and waits to be added.
 */
final class Members implements AutoCloseable {
    static final List<String> IDS = List.of("n1", "n2", "n3", "n4");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private final int[] raftPorts;
    private final int[] quorumPorts;
    private final Map<String, Broker> brokers = new TreeMap<>();

    Members(Path dir) throws IOException {
        this.dir = dir;
        int[] ports = freePorts(2 * IDS.size());
        this.raftPorts = java.util.Arrays.copyOfRange(ports, 0, IDS.size());
        this.quorumPorts = java.util.Arrays.copyOfRange(ports, IDS.size(), ports.length);
    }

    /** Starts {@code id}; {@code join}: it joins the running cluster and lists every node as a peer. */
    void start(String id, boolean join) throws Exception {
        brokers.put(id, Broker.start(ConfigLoader.parse(config(id, join), "test.yaml")));
    }

    void stop(String id) {
        Broker b = brokers.remove(id);
        if (b != null) {
            b.close();
        }
    }

    Broker broker(String id) {
        return brokers.get(id);
    }

    ClusterStatus status(String id) {
        return brokers.get(id).cluster().orElseThrow().status();
    }

    String raftAddress(String id) {
        return "127.0.0.1:" + raftPorts[IDS.indexOf(id)];
    }

    String quorumAddress(String id) {
        return "127.0.0.1:" + quorumPorts[IDS.indexOf(id)];
    }

    int httpPort(String id) {
        return brokers.get(id).address("http").getPort();
    }

    Connection connect(String id) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(id).address("amqp").getPort());
        return f.newConnection();
    }

    /** Runs idempotent declarations on {@code id}, again while it knows no metadata leader (an election). */
    void declare(String id, ChannelAction action) throws Exception {
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

    /** A management API call to {@code id} as {@code user} (password the same as the name, or guest). */
    HttpResponse<String> http(String id, String user, String method, String path, String body) throws Exception {
        String password = user.equals("guest") ? "guest" : user;
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(id) + path))
                .timeout(java.time.Duration.ofSeconds(90))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    interface ChannelAction {
        void run(Channel ch) throws Exception;
    }

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private String config(String id, boolean join) {
        int i = IDS.indexOf(id);
        StringBuilder peers = new StringBuilder();
        for (int p = 0; p < (join ? IDS.size() : 3); p++) {
            peers.append("    - { id: ").append(IDS.get(p)).append(", address: \"").append(raftAddress(IDS.get(p)))
                    .append("\", quorum_address: \"").append(quorumAddress(IDS.get(p))).append("\" }\n");
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
                  quorum_port: %d
                  join: %s
                  dir: "%s"
                  election_timeout_min_ms: 500
                  election_timeout_max_ms: 1000
                  peers:
                """.formatted(dir.resolve(id + "/data"), id, raftPorts[i], quorumPorts[i], join,
                dir.resolve(id + "/raft")) + peers;
    }

    /** Free ports, held together until all are chosen so that no two are the same. */
    private static int[] freePorts(int n) throws IOException {
        dev.junction.conformance.cluster.ClusterPeers.inThisJvm();
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                // Below the ephemeral range, as ClusterPeers#freePortPairs explains.
                ServerSocket s = dev.junction.conformance.cluster.ClusterPeers.belowEphemeralRange();
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

    @Override
    public void close() {
        List.copyOf(brokers.keySet()).forEach(this::stop);
    }
}
