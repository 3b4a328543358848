package dev.junction.conformance.cluster.takeover;

import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.connect;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.port;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.v5;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client-id claim adds to a CONNECT on a three-node cluster (docs/cluster.md, "Client ids and takeover"):
 * CONNECT to CONNACK for 100 clients one after the other on a broker alone, on the metadata leader and on a
 * follower, and 100 client ids at once on a follower, printed. Asserts only that every client was accepted: the numbers are for
 * the reader (they depend on the machine's load).
 */
class ClaimLatencyTest {

    @TempDir
    Path dir;

    @Test
    void connectsOneAfterAnotherAndAtOnce() throws Exception {
        try (Broker alone = Broker.start(ConfigLoader.parse("""
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(dir.resolve("alone")), "test.yaml"))) {
            int port = alone.address("mqtt").getPort();
            sequential("a broker alone", port, "alone");
            sequential("a broker alone", port, "alone-again");
        }
        try (QuorumCluster3 cluster = new QuorumCluster3(dir.resolve("cluster"))) {
            String leader = cluster.node("n1").cluster().orElseThrow().status().leader();
            String follower = leader.equals("n1") ? "n2" : "n1";
            connect(v5("warm-up", port(cluster, follower), new CompletableFuture<>()));
            sequential(leader + " (leader)", port(cluster, leader), leader);
            sequential(follower + " (follower)", port(cluster, follower), follower);
            List<CompletableFuture<?>> burst = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                burst.add(v5("burst-" + i, port(cluster, follower), new CompletableFuture<>()).connectWith()
                        .cleanStart(true).send());
            }
            for (CompletableFuture<?> f : burst) {
                f.get(60, TimeUnit.SECONDS);
            }
            System.out.printf("100 CONNECTs at once on %s (follower): all accepted in %.1f ms%n", follower,
                    (System.nanoTime() - start) / 1e6);
            assertThat(burst).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        }
    }

    private static void sequential(String where, int port, String prefix) throws Exception {
        long[] micros = new long[100];
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < micros.length; i++) {
            Mqtt5AsyncClient c = v5(prefix + "-seq-" + i, port, new CompletableFuture<>());
            long start = System.nanoTime();
            c.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
            micros[i] = (System.nanoTime() - start) / 1000;
            clients.add(c);
        }
        Arrays.sort(micros);
        System.out.printf("CONNECT to CONNACK on %s, one after another: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                where, micros[50] / 1000.0, micros[90] / 1000.0, micros[99] / 1000.0);
        for (Mqtt5AsyncClient c : clients) {
            c.disconnect().get(10, TimeUnit.SECONDS);
        }
    }
}
