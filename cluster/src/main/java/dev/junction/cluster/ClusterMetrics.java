package dev.junction.cluster;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The Raft groups' state as meters (Prometheus {@code junction_cluster_*}), labelled with this node's id and the
 * group ({@code metadata}, {@code quorum-0} ...): whether this node leads, the term, this node's commit and applied
 * indexes, on the leader each follower's lag behind its commit index (NaN on a node that does not lead, or while a
 * follower's index is not known), and the leader changes this node has seen. Read from the same
 * {@link GroupStatus} that {@code GET /api/cluster} shows, when scraped; nothing is sampled meanwhile. A member
 * added to a group later gets its lag gauge at the next {@link #refresh}. The status suppliers are held strongly
 * (Micrometer holds them weakly, and nothing else holds the method references); the meters are removed from the
 * registry when the node closes.
 */
final class ClusterMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final String nodeId;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    /** Held here: the meters keep only weak references to them. */
    private final Map<String, Supplier<GroupStatus>> groups = new ConcurrentHashMap<>();
    /** The (group, follower) pairs that have a lag gauge. */
    private final Set<List<String>> lagGauges = ConcurrentHashMap.newKeySet();

    ClusterMetrics(MeterRegistry registry, String nodeId) {
        this.registry = registry;
        this.nodeId = nodeId;
    }

    /** Registers a group's meters, with a lag gauge for each of {@code peers} and of its current members. */
    void group(String name, Supplier<GroupStatus> status, Iterable<String> peers) {
        groups.put(name, status);
        Tags tags = Tags.of("node", nodeId, "group", name);
        gauge("junction.cluster.leader", "1 while this node leads the group", tags, status,
                s -> s.leader().equals(nodeId) ? 1 : 0);
        gauge("junction.cluster.term", "the Raft term this node is in", tags, status, GroupStatus::term);
        gauge("junction.cluster.commit.index", "the highest log index this node knows to be committed", tags, status,
                s -> s.self().map(ClusterMember::commitIndex).orElse(-1L));
        gauge("junction.cluster.applied.index", "the highest log index this node has applied", tags, status,
                s -> s.self().map(ClusterMember::appliedIndex).orElse(-1L));
        meters.add(FunctionCounter.builder("junction.cluster.leader.changes", status,
                        s -> s.get().leaderChanges())
                .description("leader changes this node has seen since it started (elections won)")
                .tags(tags).register(registry));
        peers.forEach(peer -> follow(name, peer));
        refresh();
    }

    /**
     * The gauge {@code junction_quorum_dead_letters_pending}: the quorum queues' dead letters waiting for their
     * target's confirm (at-least-once dead-lettering) in the groups this node leads. One series per node, not per
     * queue (a fleet's thousands of queues would make thousands of series); every replica holds the same set, so
     * counting only the leader's share makes {@code sum()} over the cluster's nodes the cluster's total, where
     * counting every replica would multiply it by the replication factor. During an election a group counts on no
     * node until its new leader's node has seen it lead.
     */
    void deadLettersPending(LongSupplier pending) {
        meters.add(Gauge.builder("junction.quorum.dead.letters.pending", pending, p -> (double) p.getAsLong())
                .description("dead letters of quorum queues waiting for their target's confirm (at-least-once "
                        + "dead-lettering), in the groups this node leads")
                .tags(Tags.of("node", nodeId)).strongReference(true).register(registry));
    }

    /** Adds the lag gauges of members that joined a group since its meters were registered. */
    void refresh() {
        groups.forEach((name, status) -> status.get().members().forEach(m -> follow(name, m.id())));
    }

    private void follow(String group, String peer) {
        if (peer.equals(nodeId) || !lagGauges.add(List.of(group, peer))) {
            return;
        }
        gauge("junction.cluster.follower.lag", "on the leader: how many entries the follower's commit index is "
                + "behind the leader's", Tags.of("node", nodeId, "group", group, "follower", peer),
                groups.get(group), s -> lag(s, peer));
    }

    private void gauge(String name, String description, Tags tags, Supplier<GroupStatus> status,
                       ToDoubleFunction<GroupStatus> value) {
        meters.add(Gauge.builder(name, status, s -> value.applyAsDouble(s.get()))
                .description(description).tags(tags).strongReference(true).register(registry));
    }

    private double lag(GroupStatus s, String peer) {
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
