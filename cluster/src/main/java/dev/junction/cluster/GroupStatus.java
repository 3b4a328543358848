package dev.junction.cluster;

import java.util.List;

/**
 * One Raft group as this node sees it: its name ({@code metadata}, {@code quorum-0} ...), its id, this node's role in
 * it (LEADER, FOLLOWER, CANDIDATE), the leader it knows (empty when none), the term, the members of its current
 * configuration with their commit indexes and lag, and how many leader changes this node has seen in it.
 */
public record GroupStatus(String name, String id, String role, String leader, long term, List<ClusterMember> members,
                          long leaderChanges) {

    public GroupStatus {
        members = List.copyOf(members);
    }

    /** This node's own member entry, if it is in the group's configuration. */
    public java.util.Optional<ClusterMember> self() {
        return members.stream().filter(ClusterMember::self).findFirst();
    }
}
