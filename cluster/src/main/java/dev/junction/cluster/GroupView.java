package dev.junction.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * Reads a {@link GroupStatus} off this node's member of a Raft group. The members are the group's current Raft
 * configuration (which membership changes alter, and which Ratis keeps in the group's directory), not the config
 * file's peers; their commit indexes are Ratis's commit infos as this node last heard them.
 */
final class GroupView {

    private GroupView() {
    }

    static GroupStatus of(String name, RaftServer.Division division, long leaderChanges) {
        DivisionInfo info = division.getInfo();
        String self = division.getId().toString();
        Map<String, Long> commits = new HashMap<>();
        for (CommitInfoProto c : division.getCommitInfos()) {
            commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        }
        String leader = info.getLeaderId() == null ? "" : info.getLeaderId().toString();
        long leaderCommit = commits.getOrDefault(leader, -1L);
        List<RaftPeer> peers = new ArrayList<>(division.getRaftConf().getCurrentPeers());
        peers.sort(Comparator.comparing(p -> p.getId().toString()));
        List<ClusterMember> members = new ArrayList<>();
        for (RaftPeer p : peers) {
            String id = p.getId().toString();
            boolean isSelf = id.equals(self);
            long commit = commits.getOrDefault(id, -1L);
            long lag = commit < 0 || leaderCommit < 0 ? -1 : Math.max(0, leaderCommit - commit);
            members.add(new ClusterMember(id, p.getAddress(), id.equals(leader), isSelf, commit,
                    isSelf ? info.getLastAppliedIndex() : -1, lag));
        }
        return new GroupStatus(name, division.getGroup().getGroupId().getUuid().toString(),
                info.getCurrentRole().name(), leader, info.getCurrentTerm(), members, leaderChanges);
    }
}
