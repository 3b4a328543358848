package dev.junction.config;

import java.util.Objects;

/** One member of the cluster as the {@code cluster.peers} list names it: its node id and Raft address. */
public record ClusterPeer(String id, String host, int port) {

    public ClusterPeer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
    }

    /** {@code host:port}, as Ratis takes it. */
    public String address() {
        return host + ":" + port;
    }
}
