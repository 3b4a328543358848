package dev.junction.cluster;

import java.util.List;

/**
 * What {@code ctl cluster_status} and {@code GET /api/cluster} show: this node, its role in the metadata group
 * (LEADER, FOLLOWER, CANDIDATE), the leader it knows (empty when none), the Raft term, every member, and how many
 * leader changes this node has seen since it started (each an election won).
 */
public record ClusterStatus(String node, String group, String role, String leader, long term,
                            List<ClusterMember> members, long leaderChanges) {

    public ClusterStatus {
        members = List.copyOf(members);
    }
}
