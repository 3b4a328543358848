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
import java.util.stream.Collectors;

/**
 * The Raft groups' state as meters (Prometheus {@code junction_cluster_*}), labelled with this node's id and the
 * group ({@code metadata}, {@code quorum-0} ...): whether this node leads, the term, this node's commit and applied
 * indexes, on the leader each follower's lag behind its commit index (NaN on a node that does not lead, or while a
 * follower's index is not known), and the leader changes this node has seen. Read from the same
 * {@link GroupStatus} that {@code GET /api/cluster} shows, when scraped; nothing is sampled meanwhile. The lag
 * gauges follow each group's Raft configuration, not the config file's peers: a member added to a group later gets
 * its gauge at the next {@link #refresh}, and a removed one loses it there (a series left behind would read NaN for
 * ever, even after every node restarted, since the file may still list the removed node while Ratis recovers the
 * configuration without it). The status suppliers are held strongly
 * (Micrometer holds them weakly, and nothing else holds the method references); the meters are removed from the
 * registry when the node closes.
 */
final class ClusterMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final String nodeId;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    /** Held here: the meters keep only weak references to them. */
    private final Map<String, Supplier<GroupStatus>> groups = new ConcurrentHashMap<>();
    /** The lag gauge of each (group, follower) pair. */
    private final Map<List<String>, Meter> lagGauges = new ConcurrentHashMap<>();

    ClusterMetrics(MeterRegistry registry, String nodeId) {
        this.registry = registry;
        this.nodeId = nodeId;
    }

    /**
     * Registers a group's meters, with a lag gauge for each of its current members; {@code peers} (the config file's)
     * stand in while the group has no configuration yet (a node started with {@code join: true}, not yet added).
     */
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
        if (status.get().members().isEmpty()) {
            peers.forEach(peer -> follow(name, peer));
        }
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

    /**
     * Makes the lag gauges those of each group's current members: adds the gauges of members that joined since the
     * last look, and removes those of members no longer in the configuration. A group without a configuration
     * (a joining node not yet added) keeps what it has.
     */
    void refresh() {
        groups.forEach((name, status) -> {
            Set<String> members = status.get().members().stream().map(ClusterMember::id).collect(Collectors.toSet());
            if (members.isEmpty()) {
                return;
            }
            members.forEach(m -> follow(name, m));
            lagGauges.forEach((key, meter) -> {
                if (key.get(0).equals(name) && !members.contains(key.get(1)) && lagGauges.remove(key, meter)) {
                    meters.remove(meter);
                    registry.remove(meter);
                }
            });
        });
    }

    private void follow(String group, String peer) {
        if (peer.equals(nodeId)) {
            return;
        }
        lagGauges.computeIfAbsent(List.of(group, peer), key -> gauge("junction.cluster.follower.lag",
                "on the leader: how many entries the follower's commit index is behind the leader's",
                Tags.of("node", nodeId, "group", group, "follower", peer), groups.get(group), s -> lag(s, peer)));
    }

    private Meter gauge(String name, String description, Tags tags, Supplier<GroupStatus> status,
                        ToDoubleFunction<GroupStatus> value) {
        Meter meter = Gauge.builder(name, status, s -> value.applyAsDouble(s.get()))
                .description(description).tags(tags).strongReference(true).register(registry);
        meters.add(meter);
        return meter;
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
