package dev.junction.cluster;

/**
 * One member of the metadata group as this node sees it: its Raft address, whether it leads, the commit index
 * this node last heard from it ({@code -1}: not heard yet), its applied index (known for this node only, else
 * {@code -1}) and how far its commit index is behind the leader's ({@code -1}: unknown).
 */
public record ClusterMember(String id, String address, boolean leader, boolean self, long commitIndex,
                            long appliedIndex, long lag) {
}
