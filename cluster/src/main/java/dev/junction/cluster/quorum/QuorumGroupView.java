package dev.junction.cluster.quorum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * This node's members of the quorum groups as the status API, the metrics and membership changes read them: each
 * group's leader, role, term and indexes as Ratis knows them here now. A group not running here (yet) reads as
 * empty. Reads only; any thread.
 */
record QuorumGroupView(RaftServer server, List<RaftGroup> groups) {

    /**
     * The fixed quorum groups over every peer ({@code peers}: id to Raft address), named by their index: the same on
     * every node, which places a queue by index ({@code QuorumNode#groupOf}).
     */
    static List<RaftGroup> groups(Map<String, String> peers, int count) {
        List<RaftPeer> members = new ArrayList<>();
        peers.forEach((id, address) -> members.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        List<RaftGroup> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            byte[] name = ("junction-quorum-" + g).getBytes(StandardCharsets.UTF_8);
            groups.add(RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name)), members));
        }
        return List.copyOf(groups);
    }

    Optional<String> leaderOf(RaftGroup group) {
        try {
            RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            return Optional.ofNullable(leader).map(RaftPeerId::toString);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    List<RaftServer.Division> divisions() throws IOException {
        List<RaftServer.Division> out = new ArrayList<>();
        for (RaftGroup g : groups) {
            out.add(server.getDivision(g.getGroupId()));
        }
        return out;
    }

    List<QuorumGroupStatus> status() {
        List<QuorumGroupStatus> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            try {
                RaftServer.Division d = server.getDivision(groups.get(g).getGroupId());
                DivisionInfo info = d.getInfo();
                out.add(new QuorumGroupStatus(g, info.getCurrentRole().name(), info.getLeaderId() == null ? ""
                        : info.getLeaderId().toString(), info.getCurrentTerm(), d.getRaftLog().getLastCommittedIndex(),
                        info.getLastAppliedIndex()));
            } catch (IOException notRunning) {
                out.add(new QuorumGroupStatus(g, "", "", -1, -1, -1));
            }
        }
        return out;
    }
}
