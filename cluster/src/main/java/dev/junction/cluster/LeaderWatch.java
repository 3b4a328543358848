package dev.junction.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the leader changes of the quorum groups as this node sees them, once a second (their state machines belong
 * to the queues, so nothing is told of a change as the metadata group's is): a leader other than the last one seen,
 * or the same one in a later term, is a change. Two changes within a second count once. Each look also gives the
 * metrics a chance to add the lag gauges of members that joined meanwhile.
 */
final class LeaderWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderWatch.class);

    private record Seen(RaftPeerId leader, long term) {
    }

    private final QuorumGroups groups;
    private final Runnable afterLook;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> changes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-cluster-leaders");
        t.setDaemon(true);
        return t;
    });

    LeaderWatch(QuorumGroups groups, Runnable afterLook) {
        this.groups = groups;
        this.afterLook = afterLook;
    }

    void start() {
        look();
        timer.scheduleWithFixedDelay(this::look, 1, 1, TimeUnit.SECONDS);
    }

    /** The leader changes seen so far in group {@code name}. */
    long changes(String name) {
        AtomicLong n = changes.get(name);
        return n == null ? 0 : n.get();
    }

    private void look() {
        try {
            for (QuorumGroups.Group g : groups.groups()) {
                DivisionInfo info = g.division().getInfo();
                RaftPeerId leader = info.getLeaderId();
                if (leader == null) {
                    continue;
                }
                Seen now = new Seen(leader, info.getCurrentTerm());
                Seen before = seen.put(g.name(), now);
                if (before == null || !before.leader().equals(leader) || before.term() < now.term()) {
                    changes.computeIfAbsent(g.name(), n -> new AtomicLong()).incrementAndGet();
                }
            }
            afterLook.run();
        } catch (Exception e) {
            LOG.debug("cannot look at the quorum groups' leaders", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            // a look under way could otherwise add gauges to metrics that its owner closes right after this
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
