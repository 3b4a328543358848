package dev.junction.cluster.quorum;

/**
 * One quorum group as this node sees it (docs/cluster.md, "Quorum queues"): its place in the fixed set of groups,
 * this node's role in it (LEADER, FOLLOWER, CANDIDATE), the leader it knows (empty when none), the Raft term, the
 * highest log index this node knows to be committed and the highest it has applied. A node that restarted has
 * caught up with a group once its applied index reaches the commit index the leader named after the restart.
 */
public record QuorumGroupStatus(int group, String role, String leader, long term, long commitIndex,
                                long appliedIndex) {
}
