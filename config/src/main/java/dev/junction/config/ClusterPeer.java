package dev.junction.config;

import java.util.Objects;

/**
 * One member of the cluster as the {@code cluster.peers} list names it: its node id, its Raft address (the metadata
 * group's server) and the address of its quorum queues' Raft server ({@code quorum_address}; by default the same
 * host and the Raft port plus 1).
 */
public record ClusterPeer(String id, String host, int port, String quorumHost, int quorumPort) {

    public ClusterPeer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(quorumHost, "quorumHost");
    }

    /** A peer whose quorum server has the default address: the same host, the Raft port plus 1. */
    public ClusterPeer(String id, String host, int port) {
        this(id, host, port, host, port + 1);
    }

    /** {@code host:port}, as Ratis takes it. */
    public String address() {
        return host + ":" + port;
    }

    /** The quorum server's {@code host:port}. */
    public String quorumAddress() {
        return quorumHost + ":" + quorumPort;
    }
}
