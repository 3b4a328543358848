package dev.junction.cluster;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The metadata group's Raft state as meters (Prometheus {@code junction_cluster_*}), labelled with this node's id
 * and the group ({@code metadata}): whether this node leads, the term, this node's commit and applied indexes,
 * on the leader each follower's lag behind its commit index (NaN on a node that does not lead, or while a
 * follower's index is not known), and the leader changes this node has seen (each one an election won). Read
 * from the same {@link ClusterStatus} that {@code GET /api/cluster} shows, when scraped; nothing is sampled
 * meanwhile. The status supplier is held strongly (Micrometer holds it weakly, and nothing else holds the method
 * reference); the meters are removed from the registry when the node closes.
 */
final class ClusterMetrics implements AutoCloseable {

    private static final String GROUP = "metadata";

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    /** Held here: the counter keeps only a weak reference to it. */
    private final Supplier<ClusterStatus> status;

    ClusterMetrics(MeterRegistry registry, String nodeId, List<String> peers, Supplier<ClusterStatus> status) {
        this.registry = registry;
        this.status = status;
        Tags tags = Tags.of("node", nodeId, "group", GROUP);
        gauge("junction.cluster.leader", "1 while this node leads the group", tags, status,
                s -> s.leader().equals(nodeId) ? 1 : 0);
        gauge("junction.cluster.term", "the Raft term this node is in", tags, status, ClusterStatus::term);
        gauge("junction.cluster.commit.index", "the highest log index this node knows to be committed", tags, status,
                s -> self(s, nodeId).commitIndex());
        gauge("junction.cluster.applied.index", "the highest log index this node has applied", tags, status,
                s -> self(s, nodeId).appliedIndex());
        for (String peer : peers) {
            if (!peer.equals(nodeId)) {
                gauge("junction.cluster.follower.lag", "on the leader: how many entries the follower's commit index "
                        + "is behind the leader's", tags.and("follower", peer), status, s -> lag(s, nodeId, peer));
            }
        }
        meters.add(FunctionCounter.builder("junction.cluster.leader.changes", status,
                        s -> s.get().leaderChanges())
                .description("leader changes this node has seen since it started (elections won)")
                .tags(tags).register(registry));
    }

    private void gauge(String name, String description, Tags tags, Supplier<ClusterStatus> status,
                       ToDoubleFunction<ClusterStatus> value) {
        meters.add(Gauge.builder(name, status, s -> value.applyAsDouble(s.get()))
                .description(description).tags(tags).strongReference(true).register(registry));
    }

    private static ClusterMember self(ClusterStatus s, String nodeId) {
        return s.members().stream().filter(m -> m.id().equals(nodeId)).findFirst().orElseThrow();
    }

    private static double lag(ClusterStatus s, String nodeId, String peer) {
        if (!s.leader().equals(nodeId)) {
            return Double.NaN;
        }
        long lag = s.members().stream().filter(m -> m.id().equals(peer)).findFirst().map(ClusterMember::lag)
                .orElse(-1L);
        return lag < 0 ? Double.NaN : lag;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
