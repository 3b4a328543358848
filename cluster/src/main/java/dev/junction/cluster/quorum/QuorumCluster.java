package dev.junction.cluster.quorum;

import dev.junction.config.ClusterConfig;
import dev.junction.config.ClusterPeer;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.quorum.QuorumQueues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts this broker's {@link QuorumNode} from its {@code cluster:} section and makes the engine replicate quorum
 * queues through it. The quorum groups run on a Ratis server of their own, on each peer's Raft port plus
 * {@value #PORT_OFFSET} (the metadata server has the configured port), with their logs beside the metadata's in
 * {@code <cluster.dir>-quorum}; they use the cluster's election timeouts.
 */
public final class QuorumCluster {
    /** The quorum server's port, from a peer's configured Raft port. */
    public static final int PORT_OFFSET = 1;

    private QuorumCluster() {
    }

    /** Starts the quorum groups' server and hands the engine its log; after the metadata group has started. */
    public static QuorumNode start(ClusterConfig config, RoutingEngine engine) throws IOException {
        Map<String, String> peers = new LinkedHashMap<>();
        for (ClusterPeer p : config.peers()) {
            int colon = p.address().lastIndexOf(':');
            int port = Integer.parseInt(p.address().substring(colon + 1)) + PORT_OFFSET;
            peers.put(p.id(), p.address().substring(0, colon) + ":" + port);
        }
        QuorumSettings defaults = QuorumSettings.defaults();
        QuorumSettings settings = new QuorumSettings(defaults.groups(), config.electionTimeoutMin(),
                config.electionTimeoutMax(), defaults.snapshotInterval(), defaults.segmentBytes());
        Path dir = config.dir().resolveSibling(config.dir().getFileName() + "-quorum");
        QuorumQueues queues = engine.quorum();
        QuorumNode node = new QuorumNode(config.nodeId(), config.bind(), config.port() + PORT_OFFSET, dir, peers,
                settings, new QuorumConsumers() {
                    @Override
                    public void deliver(String vhost, String name, String consumer, long id, byte[] body,
                                        int returns) {
                        queues.deliver(vhost, name, consumer, id, body, returns);
                    }

                    @Override
                    public void reattach() {
                        queues.reattach();
                    }

                    @Override
                    public void deadLetter(String vhost, String name, byte[] body, int returns) {
                        queues.deadLetter(vhost, name, body, returns);
                    }
                });
        node.start();
        queues.replicateThrough(node);
        return node;
    }

    /** Closes {@code node} when there is one (a broker without a cluster has none). */
    public static void close(QuorumNode node) {
        if (node != null) {
            node.close();
        }
    }
}
