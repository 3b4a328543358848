package dev.junction.conformance.cluster.quorum;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import dev.junction.conformance.cluster.ClusterPeers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Three brokers in one JVM as a cluster for the quorum queue tests (and the MQTT takeover tests of
 * {@code cluster.takeover}): free ports (each node's Raft port and the one 100 above it, where its quorum groups
 * listen), a directory per node, and the stock AMQP 0-9-1 client.
 */
public final class QuorumCluster3 implements AutoCloseable {
    public static final String[] IDS = ClusterPeers.IDS;
    /**
     * The product's default election timeouts. Three brokers share this JVM and, in a full test run, two busy cores
     * with everything else: shorter timeouts let a garbage collection or a starved thread start elections that no
     * test asked for, and an election fails the commands in flight (a 3.1.1 QoS 1 publisher is then disconnected).
     * A stopped node's consumers are judged silent after five times the maximum, 10 s.
     */
    static final int ELECTION_MIN_MS = 1000;
    static final int ELECTION_MAX_MS = 2000;

    private final Path dir;
    private final int[] ports;
    final Map<String, Broker> brokers = new TreeMap<>();

    private final String clusterSettings;
    private final String sections;

    public QuorumCluster3(Path dir) throws Exception {
        this(dir, "");
    }

    /** {@code clusterSettings}: more keys of every node's {@code cluster} section, each line indented two spaces. */
    public QuorumCluster3(Path dir, String clusterSettings) throws Exception {
        this(dir, clusterSettings, "");
    }

    /** {@code sections}: more top-level sections of every node's configuration (e.g. {@code mqtt:}), as YAML. */
    public QuorumCluster3(Path dir, String clusterSettings, String sections) throws Exception {
        this.dir = dir;
        this.ports = ClusterPeers.freePortPairs(3);
        this.clusterSettings = clusterSettings;
        this.sections = sections;
        startAll();
    }

    /** Node {@code id}'s Raft port (its quorum groups' is {@code ClusterPeer.QUORUM_PORT_OFFSET} above). */
    public int raftPort(String id) {
        return ports[java.util.List.of(IDS).indexOf(id)];
    }

    private void startAll() throws Exception {
        for (int i = 0; i < 3; i++) {
            brokers.put(IDS[i], Broker.start(ConfigLoader.parse(config(i, ports), "test.yaml")));
        }
        await("a metadata leader on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
        // The quorum groups elect on their own: a test's first declaration or publish should not race their first
        // elections (those are the election tests' subject, not every test's).
        await("a leader of every quorum group on every node", () -> brokers.values().stream()
                .allMatch(b -> b.quorum().orElseThrow().groupStatus().stream().noneMatch(g -> g.leader().isEmpty())));
    }

    /** The running broker of node {@code id}. */
    public Broker node(String id) {
        return brokers.get(id);
    }

    /** Stops node {@code id} (in this JVM, as a crash of its process would, but with its ports closed). */
    public void stop(String id) {
        brokers.remove(id).close();
    }

    /** Starts node {@code id} again, stopped before, on its directories and ports; it catches up by itself. */
    public void start(String id) throws Exception {
        int i = java.util.List.of(IDS).indexOf(id);
        brokers.put(id, Broker.start(ConfigLoader.parse(config(i, ports), "test.yaml")));
    }

    /** Stops every node, then starts them again on the same directories and Raft ports. */
    void restartAll() throws Exception {
        close();
        startAll();
    }

    public Connection connect(String node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(node).address("amqp").getPort());
        return f.newConnection();
    }

    /** Runs idempotent declarations on {@code node}, again while no metadata leader is known (an election). */
    public void declare(String node, ChannelAction action) throws Exception {
        await("declarations accepted on " + node, () -> {
            try (Connection c = connect(node); Channel ch = c.createChannel()) {
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

    /**
     * Declares quorum queues on {@code node}, each name with its own arguments ({@code x-queue-type} added), runs
     * {@code then} on the same channel (bindings), and waits until every running node knows each queue.
     */
    public void declareQuorumQueues(String node, Map<String, Map<String, Object>> queues, ChannelAction then)
            throws Exception {
        declare(node, ch -> {
            for (Map.Entry<String, Map<String, Object>> q : queues.entrySet()) {
                Map<String, Object> args = new java.util.HashMap<>(q.getValue());
                args.put("x-queue-type", "quorum");
                ch.queueDeclare(q.getKey(), true, false, false, args);
            }
            then.run(ch);
        });
        for (String q : queues.keySet()) {
            awaitEverywhere(q);
        }
    }

    /** Waits until {@code queue} is known on every running node. */
    void awaitEverywhere(String queue) throws Exception {
        for (String node : brokers.keySet()) {
            await(queue + " on " + node, () -> exists(node, queue));
        }
    }

    /** Whether {@code node} knows {@code queue} (a passive declare). */
    public boolean exists(String node, String queue) throws Exception {
        try (Connection c = connect(node); Channel ch = c.createChannel()) {
            ch.queueDeclarePassive(queue);
            return true;
        } catch (IOException notFound) {
            return false;
        }
    }

    public interface ChannelAction {
        void run(Channel ch) throws Exception;
    }

    public static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private String config(int i, int[] ports) {
        return """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(dir.resolve(IDS[i] + "/data"))
                + ClusterPeers.section(i, ports, dir.resolve(IDS[i] + "/raft"), ELECTION_MIN_MS, ELECTION_MAX_MS)
                + clusterSettings
                + sections;
    }

    @Override
    public void close() {
        brokers.values().forEach(Broker::close);
        brokers.clear();
    }
}
