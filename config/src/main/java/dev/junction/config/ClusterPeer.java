package dev.junction.config;

import java.util.Objects;

/**
 * One member of the cluster as the {@code cluster.peers} list names it: its node id, its Raft address (the metadata
 * group's server) and the address of its quorum queues' Raft server ({@code quorum_address}; by default the same
 * host and the Raft port plus {@link #QUORUM_PORT_OFFSET}).
 */
public record ClusterPeer(String id, String host, int port, String quorumHost, int quorumPort) {

    /**
     * How far above its Raft port a node's quorum server listens by default. Not 1: three nodes on one machine are
     * naturally given consecutive Raft ports (7001, 7002, 7003), and a default of port + 1 would put node 1's quorum
     * server on node 2's Raft port.
     */
    public static final int QUORUM_PORT_OFFSET = 100;

    public ClusterPeer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(quorumHost, "quorumHost");
    }

    /** A peer whose quorum server has the default address: the same host, the Raft port plus the offset. */
    public ClusterPeer(String id, String host, int port) {
        this(id, host, port, host, port + QUORUM_PORT_OFFSET);
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
