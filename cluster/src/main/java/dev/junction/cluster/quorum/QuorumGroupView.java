package dev.junction.cluster.quorum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * This node's members of the quorum groups as the status API, the metrics and membership changes read them: each
 * group's leader, role, term and indexes as Ratis knows them here now. A group not running here (yet) reads as
 * empty. Reads only; any thread.
 */
record QuorumGroupView(RaftServer server, List<RaftGroup> groups) {

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
