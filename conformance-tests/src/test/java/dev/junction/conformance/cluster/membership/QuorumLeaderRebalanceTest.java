package dev.junction.conformance.cluster.membership;

import static dev.junction.conformance.cluster.quorum.QuorumCluster3.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.broker.ctl.Ctl;
import dev.junction.cluster.ClusterMember;
import dev.junction.cluster.GroupStatus;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctl rebalance_quorum_leaders} ({@code POST /api/cluster/rebalance}; RabbitMQ's {@code rabbitmq-queues
 * rebalance quorum}) on three brokers in this JVM: with every quorum group led by one node, as after a rolling
 * restart, it moves leaders until no node leads two groups more than another (four groups: two, one, one), and the
 * queues keep working on the moved groups. docs/cluster.md, "Rebalancing quorum leaders".
 */
@Timeout(180)
class QuorumLeaderRebalanceTest {

    @TempDir
    Path dir;

    @Test
    void leadersOfAllGroupsOnOneNodeAreSpreadOverTheThree() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            for (GroupStatus g : groups(cluster)) {
                leadTo(g, "n1");
            }
            await("n1 leading every quorum group", () -> leaders(cluster).values().stream().allMatch("n1"::equals));

            String[] out = ctl(cluster, "n2", "rebalance_quorum_leaders");
            assertThat(out[0]).as(out[1]).isEqualTo("0");
            assertThat(out[1]).contains("group", "before", "after", "quorum-0", "quorum-3");

            await("leaders spread two, one, one", () -> {
                Map<String, Integer> led = new TreeMap<>();
                leaders(cluster).values().forEach(n -> led.merge(n, 1, Integer::sum));
                return led.size() == 3 && led.values().stream().allMatch(c -> c <= 2);
            });

            // A quorum queue on each group still takes confirmed publishes and delivers them.
            Map<String, Map<String, Object>> queues = new TreeMap<>();
            for (int i = 0; i < 8; i++) {
                queues.put("rebalanced-" + i, Map.of());
            }
            cluster.declareQuorumQueues("n3", queues, ch -> { });
            try (var c = cluster.connect("n3"); var ch = c.createChannel()) {
                ch.confirmSelect();
                for (String q : queues.keySet()) {
                    ch.basicPublish("", q, null, q.getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(30_000);
                for (String q : queues.keySet()) {
                    var got = ch.basicGet(q, true);
                    assertThat(got).as("the message of %s", q).isNotNull();
                    assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo(q);
                }
            }
        }
    }

    private static List<GroupStatus> groups(QuorumCluster3 cluster) {
        return cluster.node("n1").cluster().orElseThrow().status().quorumGroups();
    }

    /** Each quorum group's leader as node 1 knows it. */
    private static Map<String, String> leaders(QuorumCluster3 cluster) {
        Map<String, String> out = new TreeMap<>();
        for (GroupStatus g : groups(cluster)) {
            out.put(g.name(), g.leader());
        }
        return out;
    }

    /** Hands group {@code g}'s leadership to {@code node} with Ratis's own admin call, as an election could. */
    private static void leadTo(GroupStatus g, String node) throws Exception {
        if (node.equals(g.leader())) {
            return;
        }
        List<RaftPeer> peers = new ArrayList<>();
        for (ClusterMember m : g.members()) {
            peers.add(RaftPeer.newBuilder().setId(m.id()).setAddress(m.address()).build());
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.fromString(g.id())), peers);
        try (RaftClient client = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group)
                .build()) {
            RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(node), 10_000);
            assertThat(reply.isSuccess()).as("leadership of %s to %s: %s", g.name(), node, reply.getException())
                    .isTrue();
        }
    }

    private static String[] ctl(QuorumCluster3 cluster, String node, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> line = new ArrayList<>(List.of("--url", "http://guest:guest@127.0.0.1:"
                + cluster.node(node).address("http").getPort()));
        line.addAll(List.of(args));
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Ctl.run(line, Path.of("absent.yaml"), new ByteArrayInputStream(new byte[0]), print, print);
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8)};
    }
}
