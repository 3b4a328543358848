package dev.junction.cluster;

import java.util.List;

/**
 * What {@code ctl cluster_status} and {@code GET /api/cluster} show: this node, its role in the metadata group
 * (LEADER, FOLLOWER, CANDIDATE), the leader it knows (empty when none), the Raft term, every member of the metadata
 * group's current configuration, how many leader changes this node has seen since it started (each an election
 * won), and the quorum queues' groups as this node sees them (empty until they have started).
 */
public record ClusterStatus(String node, String group, String role, String leader, long term,
                            List<ClusterMember> members, long leaderChanges, List<GroupStatus> quorumGroups) {

    public ClusterStatus {
        members = List.copyOf(members);
        quorumGroups = List.copyOf(quorumGroups);
    }

    /** The metadata group's part of the status, in the shape of a quorum group's. */
    public GroupStatus metadata() {
        return new GroupStatus("metadata", group, role, leader, term, members, leaderChanges);
    }
}
