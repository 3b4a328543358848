package dev.junction.cluster.quorum;

import dev.junction.cluster.ClusterNode;
import dev.junction.cluster.QuorumGroups;
import dev.junction.cluster.RaftTransport;
import dev.junction.config.ClusterConfig;
import dev.junction.config.ClusterPeer;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.quorum.QuorumQueues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.server.RaftServer;

/**
 * Starts this broker's {@link QuorumNode} from its {@code cluster:} section and makes the engine replicate quorum
 * queues through it. The quorum groups run on a Ratis server of their own, at each peer's quorum address
 * ({@code cluster.quorum_port} and the peers' {@code quorum_address}; by default the Raft port plus
 * {@value #PORT_OFFSET}), with their logs beside the metadata's in {@code <cluster.dir>-quorum}; they use the
 * cluster's election timeouts. Once started they are attached to the {@link ClusterNode}, for its status, metrics
 * and membership changes.
 */
public final class QuorumCluster {
    /** The quorum server's default port, from a peer's configured Raft port. */
    public static final int PORT_OFFSET = 1;

    private QuorumCluster() {
    }

    /**
     * Starts the quorum groups' server and hands the engine its log; after the metadata group has started.
     * {@code largestMessage}: {@code limits.max_message_size}, which a group's log entries must be able to carry.
     */
    public static QuorumNode start(ClusterConfig config, RoutingEngine engine, ClusterNode cluster,
                                   long largestMessage) throws IOException {
        QuorumNode node = start(config, engine, largestMessage);
        cluster.attach(groups(node));
        return node;
    }

    /** As above, without a cluster node to attach to. */
    public static QuorumNode start(ClusterConfig config, RoutingEngine engine) throws IOException {
        return start(config, engine, QuorumSettings.DEFAULT_LARGEST_MESSAGE);
    }

    private static QuorumNode start(ClusterConfig config, RoutingEngine engine, long largestMessage)
            throws IOException {
        Map<String, String> peers = new LinkedHashMap<>();
        for (ClusterPeer p : config.peers()) {
            peers.put(p.id(), p.quorumAddress());
        }
        QuorumSettings defaults = QuorumSettings.defaults();
        // A joining node starts outside the groups' configurations: the leader brings it in (ClusterMembership).
        QuorumSettings settings = new QuorumSettings(defaults.groups(), config.electionTimeoutMin(),
                config.electionTimeoutMax(), defaults.snapshotInterval(), defaults.segmentBytes(), config.join(),
                config.deadLetterRetry(), config.deadLetterConfirmTimeout(), largestMessage);
        Path dir = config.dir().resolveSibling(config.dir().getFileName() + "-quorum");
        QuorumQueues queues = engine.quorum();
        QuorumNode node = new QuorumNode(config.nodeId(), config.bind(), config.quorumPort(), dir, peers,
                settings, new QuorumConsumers() {
                    @Override
                    public void deliver(String vhost, String name, String consumer, long id, byte[] body,
                                        int returns) {
                        queues.deliver(vhost, name, consumer, id, body, returns);
                    }

                    @Override
                    public void got(String vhost, String name, String getter, long id, byte[] body, int returns,
                                    int remaining) {
                        queues.got(vhost, name, getter, id, body, returns, remaining);
                    }

                    @Override
                    public void reattach() {
                        queues.reattach();
                    }

                    @Override
                    public void deadLetter(String vhost, String name, byte[] body, int returns) {
                        queues.deadLetter(vhost, name, body, returns);
                    }

                    @Override
                    public void dropped(String vhost, String name, byte[] body, String reason) {
                        queues.dropped(vhost, name, body, reason);
                    }

                    @Override
                    public CompletableFuture<Boolean> deadLetterConfirmed(String vhost, String name, byte[] body,
                            int returns, String reason) {
                        return queues.deadLetterConfirmed(vhost, name, body, returns, reason);
                    }

                    @Override
                    public void unused(String vhost, String name) {
                        queues.unused(vhost, name);
                    }
                }, RaftTransport.parameters(config));
        node.start();
        queues.replicateThrough(node);
        return node;
    }

    /** The node's groups as the cluster's status and membership changes see them: {@code quorum-0} ... */
    static QuorumGroups groups(QuorumNode node) {
        return new QuorumGroups() {
            @Override
            public List<Group> groups() throws IOException {
                List<Group> out = new ArrayList<>();
                List<RaftServer.Division> divisions = node.divisions();
                for (int g = 0; g < divisions.size(); g++) {
                    out.add(new Group("quorum-" + g, divisions.get(g)));
                }
                return out;
            }

            @Override
            public CompletableFuture<Void> forgetNode(String id) {
                return node.forgetNode(id);
            }

            @Override
            public long deadLettersPending() {
                return node.deadLettersPending();
            }
        };
    }

    /** Closes {@code node} when there is one (a broker without a cluster has none). */
    public static void close(QuorumNode node) {
        if (node != null) {
            node.close();
        }
    }
}
