package dev.junction.broker.management;

import dev.junction.cluster.ClusterMember;
import dev.junction.cluster.ClusterStatus;
import dev.junction.cluster.quorum.QuorumGroupStatus;
import dev.junction.cluster.quorum.QuorumNode;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.quorum.QuorumArguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/cluster}: the members of the metadata group, its leader, the leader changes this node has seen,
 * and each member's commit index, applied index and lag as this node knows them (docs/cluster.md); the same
 * numbers are the {@code junction_cluster_*} meters; and {@code quorum_groups}, each quorum group's role, leader,
 * term, commit and applied index on this node. {@code GET /api/cluster/queues/{vhost}/{name}}: the quorum group a
 * quorum queue is placed on and its leader as this node knows it (RabbitMQ lists a quorum queue's {@code leader}).
 * A broker that runs alone answers 404.
 */
final class ClusterResource {

    private final BrokerControl control;
    private final RoutingEngine engine;

    ClusterResource(BrokerControl control, RoutingEngine engine) {
        this.control = control;
        this.engine = engine;
    }

    ApiResponse status(Caller caller) {
        caller.requireMonitoring();
        ClusterStatus s = control.clusterStatus()
                .orElseThrow(() -> new ApiError(404, "not_found", "this broker is not in a cluster"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", s.node());
        out.put("group", s.group());
        out.put("role", s.role());
        out.put("leader", s.leader());
        out.put("term", s.term());
        out.put("leader_changes", s.leaderChanges());
        List<Map<String, Object>> members = new ArrayList<>();
        for (ClusterMember m : s.members()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("id", m.id());
            member.put("address", m.address());
            member.put("leader", m.leader());
            member.put("self", m.self());
            member.put("commit_index", m.commitIndex());
            member.put("applied_index", m.appliedIndex());
            member.put("lag", m.lag());
            members.add(member);
        }
        out.put("members", members);
        control.quorum().ifPresent(q -> out.put("quorum_groups", q.groupStatus().stream().map(g -> {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("group", g.group());
            group.put("role", g.role());
            group.put("leader", g.leader());
            group.put("term", g.term());
            group.put("commit_index", g.commitIndex());
            group.put("applied_index", g.appliedIndex());
            return group;
        }).toList()));
        return ApiResponse.ok(out);
    }

    /** {@code /api/cluster/queues/{vhost}/{name}}: a quorum queue's group and leader; 404 for any other queue. */
    ApiResponse queue(Caller caller, String vhost, String name) {
        caller.requireMonitoring();
        QuorumNode quorum = control.quorum()
                .orElseThrow(() -> new ApiError(404, "not_found", "this broker is not in a cluster"));
        boolean isQuorum = engine.vhost(vhost).flatMap(v -> v.queue(name))
                .map(q -> QuorumArguments.requested(q.spec().arguments())).orElse(false);
        if (!isQuorum) {
            throw ApiError.notFound();
        }
        QuorumGroupStatus g = quorum.groupStatus().get(quorum.groupIndexOf(vhost, name));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vhost", vhost);
        out.put("name", name);
        out.put("group", g.group());
        out.put("leader", g.leader());
        return ApiResponse.ok(out);
    }
}
