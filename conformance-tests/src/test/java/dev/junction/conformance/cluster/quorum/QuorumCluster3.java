package dev.junction.conformance.cluster.quorum;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Three brokers in one JVM as a cluster for the quorum queue tests: free ports (each node's Raft port and the one
 * after it, where its quorum groups listen), a directory per node, and the stock AMQP 0-9-1 client.
 */
final class QuorumCluster3 implements AutoCloseable {
    static final String[] IDS = {"n1", "n2", "n3"};

    private final Path dir;
    private final int[] ports;
    final Map<String, Broker> brokers = new TreeMap<>();

    QuorumCluster3(Path dir) throws Exception {
        this.dir = dir;
        this.ports = freePortPairs(3);
        startAll();
    }

    private void startAll() throws Exception {
        for (int i = 0; i < 3; i++) {
            brokers.put(IDS[i], Broker.start(ConfigLoader.parse(config(i, ports), "test.yaml")));
        }
        await("a metadata leader on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
    }

    /** Stops every node, then starts them again on the same directories and Raft ports. */
    void restartAll() throws Exception {
        close();
        startAll();
    }

    Connection connect(String node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(node).address("amqp").getPort());
        return f.newConnection();
    }

    /** Runs idempotent declarations on {@code node}, again while no metadata leader is known (an election). */
    void declare(String node, ChannelAction action) throws Exception {
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

    /** Waits until {@code queue} is known on every running node. */
    void awaitEverywhere(String queue) throws Exception {
        for (String node : brokers.keySet()) {
            await(queue + " on " + node, () -> {
                try (Connection c = connect(node); Channel ch = c.createChannel()) {
                    ch.queueDeclarePassive(queue);
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        }
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
            Thread.sleep(50);
        }
    }

    private String config(int i, int[] ports) {
        StringBuilder peers = new StringBuilder();
        for (int p = 0; p < 3; p++) {
            peers.append("    - { id: ").append(IDS[p]).append(", address: \"127.0.0.1:").append(ports[p])
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
                  peers:
                """.formatted(dir.resolve(IDS[i] + "/data"), IDS[i], ports[i], dir.resolve(IDS[i] + "/raft"))
                + peers;
    }

    /** Ports p whose p + 1 is free too (the quorum groups' server), held together until all are chosen. */
    private static int[] freePortPairs(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; ) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                try {
                    held.add(new ServerSocket(s.getLocalPort() + 1));
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

    @Override
    public void close() {
        brokers.values().forEach(Broker::close);
        brokers.clear();
    }
}
