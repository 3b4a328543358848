package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@code junction_cluster_follower_lag} series follow each group's Raft configuration (docs/cluster.md,
 * "Status"): a member removed with {@code forget_cluster_node} loses its series, a member added gains one, and at
 * start the configuration Ratis recovered wins over the config file's peers, which may still name a removed node.
 * Failed before: the series of every peer ever seen stayed, NaN, even after a restart of the whole cluster.
 */
class ClusterMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<List<String>> members = new AtomicReference<>();

    @Test
    void aRemovedMembersLagSeriesGoWithItAndANewMembersAppear() {
        members.set(List.of("n1", "n2", "n3"));
        try (ClusterMetrics metrics = new ClusterMetrics(registry, "n1")) {
            metrics.group("metadata", this::status, List.of("n1", "n2", "n3"));
            assertThat(followers("metadata")).containsExactlyInAnyOrder("n2", "n3");

            members.set(List.of("n1", "n3")); // forget_cluster_node n2
            metrics.refresh();
            assertThat(followers("metadata")).containsExactly("n3");

            members.set(List.of("n1", "n3", "n4")); // add_cluster_node n4
            metrics.refresh();
            assertThat(followers("metadata")).containsExactlyInAnyOrder("n3", "n4");
        }
        assertThat(registry.find("junction.cluster.follower.lag").gauges()).isEmpty();
    }

    @Test
    void atStartTheRecoveredConfigurationWinsOverTheConfigFilesPeers() {
        members.set(List.of("n1", "n3")); // n2 was removed before the restart; the file still lists it
        try (ClusterMetrics metrics = new ClusterMetrics(registry, "n1")) {
            metrics.group("quorum-0", this::status, List.of("n1", "n2", "n3"));
            assertThat(followers("quorum-0")).containsExactly("n3");
        }
    }

    @Test
    void aJoiningNodeOutsideEveryConfigurationKeepsItsPeersSeries() {
        members.set(List.of()); // started with join: true, not added yet: its group has no configuration
        try (ClusterMetrics metrics = new ClusterMetrics(registry, "n4")) {
            metrics.group("metadata", this::status, List.of("n1", "n2", "n3", "n4"));
            metrics.refresh();
            assertThat(followers("metadata")).containsExactlyInAnyOrder("n1", "n2", "n3");
        }
    }

    private GroupStatus status() {
        List<ClusterMember> list = members.get().stream()
                .map(id -> new ClusterMember(id, "127.0.0.1:7001", id.equals("n1"), id.equals("n1"), 5, -1, 0))
                .toList();
        return new GroupStatus("metadata", "g", "LEADER", list.isEmpty() ? "" : "n1", 1, list, 0);
    }

    private List<String> followers(String group) {
        return registry.find("junction.cluster.follower.lag").tag("group", group).gauges().stream()
                .map(g -> g.getId().getTag("follower")).toList();
    }
}
