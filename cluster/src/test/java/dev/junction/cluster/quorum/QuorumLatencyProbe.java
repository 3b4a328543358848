package dev.junction.cluster.quorum;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * A measurement, not a test (its {@code main} is run by hand with the module's test class path): three
 * {@link QuorumNode}s in one JVM on free ports and a temporary directory, enqueues of 150 bytes with 100
 * outstanding (a warm-up), then one at a time, with 100 outstanding and one at a time again, printing each phase's
 * rate and latency percentiles. With DEBUG logging for Ratis's {@code RaftServer$Division},
 * {@code SegmentedRaftLogWorker}, {@code GrpcLogAppender}, {@code StateMachineUpdater} and {@code OrderedAsync}
 * the log shows each hop of an entry with its time (docs/benchmarks.md, "Quorum queues, three nodes").
 * Arguments: the enqueues of the one-at-a-time phases (50) and of the 100-outstanding phase (3000).
 */
public final class QuorumLatencyProbe {
    private QuorumLatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        int single = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int many = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Path dir = Files.createTempDirectory("quorum-probe");
        Map<String, String> peers = new LinkedHashMap<>();
        String[] ids = {"n1", "n2", "n3"};
        int[] ports = ThreeQuorumNodes.freePorts(3);
        for (int i = 0; i < 3; i++) {
            peers.put(ids[i], "127.0.0.1:" + ports[i]);
        }
        QuorumSettings settings = QuorumSettings.defaults();
        List<QuorumNode> nodes = new ArrayList<>();
        QuorumConsumers none = new QuorumConsumers() {
            @Override
            public void deliver(String vhost, String name, String consumer, long id, byte[] body, int returns) {
            }

            @Override
            public void deadLetter(String vhost, String name, byte[] body, int returns) {
            }
        };
        for (int i = 0; i < 3; i++) {
            nodes.add(new QuorumNode(ids[i], "127.0.0.1", ports[i], dir.resolve(ids[i]), peers, settings, none));
        }
        try {
            for (QuorumNode n : nodes) {
                n.start();
            }
            QuorumNode a = nodes.get(0);
            a.declare("/", "qq", -1, false).get(60, TimeUnit.SECONDS);
            System.out.println("leader of qq: " + a.leaderOf("/", "qq").orElse("?"));
            byte[] body = new byte[150];
            phase("warm-up, 100 outstanding", a, body, 2000, 100);
            phase("1 outstanding", a, body, single, 1);
            phase("100 outstanding", a, body, many, 100);
            phase("1 outstanding, again", a, body, single, 1);
        } finally {
            nodes.forEach(QuorumNode::close);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void phase(String name, QuorumNode node, byte[] body, int count, int outstanding)
            throws Exception {
        LoggerFactory.getLogger(QuorumLatencyProbe.class).warn("PHASE {} start", name);
        Semaphore window = new Semaphore(outstanding);
        long[] latencies = new long[count];
        List<CompletableFuture<Long>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            int n = i;
            long sent = System.nanoTime();
            all.add(node.enqueue("/", "qq", body).whenComplete((id, e) -> {
                latencies[n] = System.nanoTime() - sent;
                window.release();
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("PHASE %s: %d enqueues in %.2f s = %.0f/s; latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f%n",
                name, count, seconds, count / seconds, latencies[count / 2] / 1e6, latencies[count * 9 / 10] / 1e6,
                latencies[count * 99 / 100] / 1e6, latencies[count - 1] / 1e6);
    }
}
