package dev.junction.broker.management;

import dev.junction.cluster.ClusterMember;
import dev.junction.cluster.ClusterStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/cluster}: the members of the metadata group, its leader, the leader changes this node has seen,
 * and each member's commit index, applied index and lag as this node knows them (docs/cluster.md); the same
 * numbers are the {@code junction_cluster_*} meters. A broker that runs alone answers 404.
 */
final class ClusterResource {

    private final BrokerControl control;

    ClusterResource(BrokerControl control) {
        this.control = control;
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
        return ApiResponse.ok(out);
    }
}
