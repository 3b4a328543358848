package dev.junction.cluster;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.server.RaftServer;

/**
 * The quorum queues' Raft groups as the cluster's status, metrics and membership changes need them: this node's
 * member of each (named {@code quorum-0} ...), and detaching a removed node's consumers. Implemented by the quorum
 * side ({@code cluster.quorum.QuorumCluster}), which starts after the metadata group.
 */
public interface QuorumGroups {

    /** One quorum group: its name and this node's member of it. */
    record Group(String name, RaftServer.Division division) {
    }

    /** Every quorum group, in order. */
    List<Group> groups() throws IOException;

    /** Detaches every consumer node {@code node} had in every quorum group; their messages go back to the queues. */
    CompletableFuture<Void> forgetNode(String node);

    /**
     * The dead letters pending (at-least-once dead-lettering) in the quorum groups this node leads; read by a metrics
     * scrape, so it does not wait.
     */
    default long deadLettersPending() {
        return 0;
    }
}
