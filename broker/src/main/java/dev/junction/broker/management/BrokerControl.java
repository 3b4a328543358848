package dev.junction.broker.management;

import dev.junction.cluster.ClusterMembership;
import dev.junction.cluster.ClusterStatus;
import dev.junction.cluster.quorum.QuorumNode;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * What the API asks of the broker beyond the engine: re-reading the config file, and closing the client connections
 * a change took rights from (a deleted vhost's, a deleted user's).
 */
public interface BrokerControl {
    /** No config file to re-read and no connections to close: a broker embedded without a file. */
    BrokerControl NONE = new BrokerControl() {
        @Override
        public ReloadOutcome reload() {
            return ReloadOutcome.refused("this broker was not started from a config file; there is nothing to reload");
        }

        @Override
        public void closeConnections(BiPredicate<String, String> userAndVhost, String reason) {
        }
    };

    /** Re-reads the config file (a bad file keeps the running configuration). */
    ReloadOutcome reload();

    /** Closes every client connection whose user and vhost {@code userAndVhost} selects. */
    void closeConnections(BiPredicate<String, String> userAndVhost, String reason);

    /** The metadata group as this node sees it; empty for a broker that runs alone (docs/cluster.md). */
    default Optional<ClusterStatus> clusterStatus() {
        return Optional.empty();
    }

    /** Adding and removing cluster members; empty for a broker that runs alone (docs/cluster.md). */
    default Optional<ClusterMembership> clusterMembership() {
        return Optional.empty();
    }

    /** This node's quorum queue groups; empty for a broker that runs alone (docs/cluster.md). */
    default Optional<QuorumNode> quorum() {
        return Optional.empty();
    }
}
