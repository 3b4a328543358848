package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Three {@link QuorumNode}s in one JVM for tests (free ports, one directory each), each recording what its
 * consumer side is handed: every delivery as "consumer id body returns", dead letters as "dead body returns",
 * dropped messages as "dropped body reason". {@link #close} stops the nodes still running.
 */
final class ThreeQuorumNodes implements AutoCloseable {
    static final String[] IDS = {"n1", "n2", "n3"};

    /** The running nodes by id; a test stops one by removing and closing it. */
    final Map<String, QuorumNode> nodes = new TreeMap<>();
    /** What each node's consumer side was handed, in order. */
    final Map<String, LinkedBlockingQueue<String>> got = new TreeMap<>();

    ThreeQuorumNodes(Path dir) throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        int[] ports = freePorts(3);
        for (int i = 0; i < 3; i++) {
            peers.put(IDS[i], "127.0.0.1:" + ports[i]);
        }
        // Timeouts of a loaded machine: shorter ones made elections go round for tens of seconds there.
        QuorumSettings settings = new QuorumSettings(2, Duration.ofMillis(1000), Duration.ofMillis(2000), 50,
                64 << 10);
        for (int i = 0; i < 3; i++) {
            nodes.put(IDS[i], new QuorumNode(IDS[i], "127.0.0.1", ports[i], dir.resolve(IDS[i]), peers, settings,
                    recorder(IDS[i])));
        }
        for (QuorumNode n : nodes.values()) {
            n.start();
        }
    }

    private QuorumConsumers recorder(String node) {
        LinkedBlockingQueue<String> q = got.computeIfAbsent(node, n -> new LinkedBlockingQueue<>());
        return new QuorumConsumers() {
            @Override
            public void deliver(String vhost, String name, String consumer, long id, byte[] body, int returns) {
                q.add(consumer + " " + id + " " + new String(body, StandardCharsets.UTF_8) + " " + returns);
            }

            @Override
            public void deadLetter(String vhost, String name, byte[] body, int returns) {
                q.add("dead " + new String(body, StandardCharsets.UTF_8) + " " + returns);
            }

            @Override
            public void dropped(String vhost, String name, byte[] body, String reason) {
                q.add("dropped " + new String(body, StandardCharsets.UTF_8) + " " + reason);
            }
        };
    }

    QuorumNode get(String id) {
        return nodes.get(id);
    }

    /** The next thing {@code node}'s consumer side was handed, waiting for it. */
    String take(String node) throws InterruptedException {
        String s = got.get(node).poll(60, TimeUnit.SECONDS);
        assertThat(s).as("a delivery on " + node).isNotNull();
        return s;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(90, TimeUnit.SECONDS);
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * {@code n} ports free at the time of asking (also the latency probe's), below Linux's ephemeral range (32768):
     * the nodes start one by one, and the first one's connections to its peers, from ephemeral ports, could
     * otherwise take a later node's port before it binds.
     */
    static int[] freePorts(int n) throws Exception {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        for (int i = 0; i < n; ) {
            try {
                sockets[i] = new ServerSocket(10000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(22768));
            } catch (java.io.IOException taken) {
                continue;
            }
            ports[i] = sockets[i].getLocalPort();
            i++;
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return ports;
    }

    @Override
    public void close() {
        nodes.values().forEach(QuorumNode::close);
        nodes.clear();
    }
}
