package dev.junction.cluster.quorum;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the messages of consumers on a node that has gone silent. Every second, for each quorum group this node
 * leads, it looks at how long ago each follower last answered; once one has not for {@code downAfterMillis}, it
 * submits (once per silence) a command that detaches that node's consumers attached before the leader's last
 * applied index, so their unsettled messages go back to the queue and the round-robin stops giving them more.
 * A node that was only cut off finds its own consumers detached when it catches up and attaches them again
 * ({@link QuorumEffects#nodeDetached}); their unsettled deliveries are then redelivered elsewhere (at least once).
 */
final class SilentNodeWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SilentNodeWatch.class);

    private final RaftServer server;
    private final List<RaftGroup> groups;
    private final long downAfterMillis;
    /** Submits "detach node {@code id}'s consumers attached before {@code index}" to a group. */
    private final Detacher detacher;
    private final Map<RaftGroupId, Set<String>> reported = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-quorum-watch");
        t.setDaemon(true);
        return t;
    });

    interface Detacher {
        void detach(RaftGroup group, String node, long beforeIndex);
    }

    SilentNodeWatch(RaftServer server, List<RaftGroup> groups, long downAfterMillis, Detacher detacher) {
        this.server = server;
        this.groups = groups;
        this.downAfterMillis = downAfterMillis;
        this.detacher = detacher;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::look, 1, 1, TimeUnit.SECONDS);
    }

    private void look() {
        for (RaftGroup g : groups) {
            Set<String> silent = reported.computeIfAbsent(g.getGroupId(), id -> new HashSet<>());
            try {
                DivisionInfo info = server.getDivision(g.getGroupId()).getInfo();
                if (!info.isLeader() || !info.isLeaderReady()) {
                    silent.clear(); // a new leader judges for itself
                    continue;
                }
                for (ServerRpcProto f : info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
                    String node = f.getId().getId().toStringUtf8();
                    if (f.getLastRpcElapsedTimeMs() < downAfterMillis) {
                        silent.remove(node);
                    } else if (silent.add(node)) {
                        LOG.warn("quorum group {}: node {} silent for {} ms; detaching its consumers", g.getGroupId(),
                                node, f.getLastRpcElapsedTimeMs());
                        detacher.detach(g, node, info.getLastAppliedIndex());
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("quorum group {}: cannot look at its followers", g.getGroupId(), e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
