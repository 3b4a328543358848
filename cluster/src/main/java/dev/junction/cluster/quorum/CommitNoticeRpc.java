package dev.junction.cluster.quorum;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLogIOException;

/**
 * The quorum groups' Raft transport: Ratis's gRPC, whose leader tells a follower of a commit as soon as it commits,
 * not at the next heartbeat. Ratis (3.2) sends a follower its commit index only with an AppendEntries; its log
 * appender wakes on each commit and sees the follower's commit index behind, but builds a request only for new
 * entries, so with none to send the follower learns of the commit at the next heartbeat, half the minimum election
 * timeout after the last append. A follower applies an entry only once it knows it committed, and a quorum queue's
 * consumer on a follower's node gets its message from that node's apply: a lone message waited one heartbeat
 * interval for such a consumer (250 ms under 500 ms election timeouts). Ratis's log-metadata entry, written after
 * each commit, used to carry the commit index at once; the groups write none (see {@link QuorumSettings}).
 *
 * <p>The cost: at most one AppendEntries without entries per follower and commit index, sent only when no entry is
 * on its way to that follower to carry the commit (under steady load the next append carries it, as before); the
 * follower writes nothing for it. Election timing is unchanged: these are heartbeats a little early, which only
 * reset a follower's election timer.
 */
public final class CommitNoticeRpc implements RpcType {

    /** Ratis makes the factory from this class's name ({@code RpcType.valueOf}), so it must be public. */
    public CommitNoticeRpc() {
    }

    @Override
    public String name() {
        return CommitNoticeRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new GrpcFactory(parameters) {
            @Override
            public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo f) {
                return new CommitNoticeAppender(server, state, f);
            }
        };
    }

    /**
     * Ratis's gRPC log appender, with a heartbeat where it had nothing to send to a follower behind the commit. Only
     * when the follower has answered every entry sent to it: an AppendEntries in flight is answered, and its answer
     * wakes this appender again (Ratis notifies the appender on every reply), which then sends the notice if the
     * commit is still ahead; and once per commit index, not again while the notice is on its way. So under load,
     * with appends always in flight, the next append carries the commit as it did before, and the notices go only
     * where a follower would otherwise have waited for the heartbeat.
     */
    private static final class CommitNoticeAppender extends GrpcLogAppender {
        /** The commit index the last notice carried. The appender's own thread builds its requests. */
        private long noticed = -1;

        CommitNoticeAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            super(server, state, follower);
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
                throws RaftLogIOException {
            AppendEntriesRequestProto request = super.newAppendEntriesRequest(callId, heartbeat);
            long commit = getRaftLog().getLastCommittedIndex();
            FollowerInfo f = getFollower();
            if (request == null && commit > f.getCommitIndex() && commit > noticed
                    && f.getMatchIndex() + 1 >= f.getNextIndex()) {
                noticed = commit;
                return super.newAppendEntriesRequest(callId, true);
            }
            return request;
        }
    }
}
