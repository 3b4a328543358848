package dev.junction.cluster.quorum;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * How the quorum groups run: how many there are (queues are placed on them by hash), the election timeouts, and
 * log compaction (a snapshot every {@code snapshotInterval} entries, log segments of {@code segmentBytes}).
 * {@code join}: this node joins a running cluster, so a group it has no directory for yet starts without a
 * configuration, waiting for the leader to add it (docs/cluster.md, "Membership changes").
 * {@code deadLetterRetry}, {@code deadLetterConfirmTimeout}: at-least-once dead-lettering's retry interval and confirm
 * timeout ({@link DeadLetterRelay}). {@code largestMessage}: the broker's {@code limits.max_message_size}, which sizes
 * the log's limits on one entry (see {@link #properties}).
 */
public record QuorumSettings(int groups, Duration electionMin, Duration electionMax, long snapshotInterval,
                             long segmentBytes, boolean join, Duration deadLetterRetry,
                             Duration deadLetterConfirmTimeout, long largestMessage) {
    /** {@code limits.max_message_size}'s default. */
    static final long DEFAULT_LARGEST_MESSAGE = 16L << 20;
    /**
     * Room in one log entry beyond the message's body: its headers and properties (an AMQP 0-9-1 content header is
     * at most a frame, an MQTT 5 PUBLISH's properties share the packet's limit with the body) and the command's and
     * batch's own fields.
     */
    static final long ENTRY_HEADROOM = 2L << 20;

    /** With the default largest message. */
    public QuorumSettings(int groups, Duration electionMin, Duration electionMax, long snapshotInterval,
                          long segmentBytes, boolean join, Duration deadLetterRetry,
                          Duration deadLetterConfirmTimeout) {
        this(groups, electionMin, electionMax, snapshotInterval, segmentBytes, join, deadLetterRetry,
                deadLetterConfirmTimeout, DEFAULT_LARGEST_MESSAGE);
    }


    /** With at-least-once dead-lettering's default retry interval and confirm timeout. */
    public QuorumSettings(int groups, Duration electionMin, Duration electionMax, long snapshotInterval,
                          long segmentBytes, boolean join) {
        this(groups, electionMin, electionMax, snapshotInterval, segmentBytes, join,
                Duration.ofMillis(DeadLetterRelay.RETRY_MS), Duration.ofMillis(DeadLetterRelay.CONFIRM_TIMEOUT_MS));
    }

    /** A node that does not join a running cluster. */
    public QuorumSettings(int groups, Duration electionMin, Duration electionMax, long snapshotInterval,
                          long segmentBytes) {
        this(groups, electionMin, electionMax, snapshotInterval, segmentBytes, false);
    }

    /** Four groups, elections after 1 to 2 s without a leader, a snapshot every 100,000 entries, 8 MiB segments. */
    public static QuorumSettings defaults() {
        return new QuorumSettings(4, Duration.ofSeconds(1), Duration.ofSeconds(2), 100_000, 8 << 20);
    }

    public QuorumSettings {
        if (groups < 1) {
            throw new IllegalArgumentException("at least one quorum group, got " + groups);
        }
        if (largestMessage < 1) {
            throw new IllegalArgumentException("largest message must be positive, got " + largestMessage);
        }
    }

    /**
     * The largest log entry a group must take: one message of {@link #largestMessage} goes alone in an entry
     * ({@code QuorumSubmitter} batches only up to 1 MiB), so it is that plus {@link #ENTRY_HEADROOM}, and never less
     * than Ratis's own defaults.
     */
    long largestEntry() {
        return Math.max(largestMessage + ENTRY_HEADROOM, RAFT_DEFAULT_ENTRY_LIMIT);
    }

    /** How many of the largest entries the byte limits on requests and log writes in flight leave room for. */
    private static final long IN_FLIGHT_ENTRIES = 4;

    /** Ratis's default for the largest entry its leader sends (its appender's buffer). */
    private static final long RAFT_DEFAULT_ENTRY_LIMIT = 4L << 20;


    RaftProperties properties(Path dir, String bind, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
        // Ratis's default of 100 outstanding requests per client would hold a busy node's publishes one by one.
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 1000);
        // Ratis's default of 8 AppendEntries in flight per follower sent each entry in a request of its own, each
        // written and forced by the follower on its own. With at most 2 in flight, the entries that arrive while
        // they are answered go in the next request together (docs/benchmarks.md, "Quorum queues, three nodes").
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 2);
        // Ratis writes, by default, an entry of its own after each commit to record the commit index in the log, and
        // replicates it: an append and a force on every member per command, which doubled the entries a lone
        // command costs and queued behind the AppendEntries slots above. A restarted member learns the commit index
        // from the leader instead (docs/benchmarks.md, "Quorum queues, three nodes").
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // That entry also told the followers of each commit at once; without it they learned of it at the next
        // heartbeat, which held a quorum queue's delivery to a consumer on a follower's node (CommitNoticeRpc).
        RaftConfigKeys.Rpc.setType(p, new CommitNoticeRpc());
        GrpcConfigKeys.Server.setHost(p, bind);
        GrpcConfigKeys.Server.setPort(p, port);
        TimeDuration min = TimeDuration.valueOf(electionMin.toMillis(), TimeUnit.MILLISECONDS);
        TimeDuration max = TimeDuration.valueOf(electionMax.toMillis(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotInterval);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(snapshotInterval, 1024));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(segmentBytes));
        // Ratis refuses an entry larger than its leader's append buffer (4 MiB by default: "Log entry size ...
        // exceeds the max buffer limit"), so a persistent message above about 4 MiB was nacked although within
        // limits.max_message_size. Each limit an entry passes through is sized for the largest message: the
        // leader's append buffer, the log's write buffer, and the gRPC message that carries an AppendEntries (or a
        // client's request) between nodes.
        long entry = largestEntry();
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entry));
        long writeBuffer = RaftServerConfigKeys.Log.writeBufferSize(p).getSize();
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(Math.max(writeBuffer, entry + (1 << 20))));
        long grpcMax = GrpcConfigKeys.messageSizeMax(p, ignored -> { }).getSize();
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(Math.max(grpcMax, entry + (1 << 20))));
        // Two more bounds count bytes in flight, 64 MiB each by default: the leader's pending client requests
        // (a request above it never gets a permit and fails after the client's retries) and the log worker's queue
        // (an element above it never fits). Room for a few of the largest entries at once in each.
        long inFlight = Math.min(IN_FLIGHT_ENTRIES * entry, Integer.MAX_VALUE); // Ratis reads them as ints
        RaftServerConfigKeys.Write.setByteLimit(p,
                SizeInBytes.valueOf(Math.max(RaftServerConfigKeys.Write.byteLimit(p).getSize(), inFlight)));
        long queue = Math.max(RaftServerConfigKeys.Log.queueByteLimit(p).getSize(), inFlight);
        RaftServerConfigKeys.Log.setQueueByteLimit(p, SizeInBytes.valueOf(queue));
        return p;
    }
}
