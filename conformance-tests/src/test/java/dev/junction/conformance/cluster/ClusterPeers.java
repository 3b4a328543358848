package dev.junction.conformance.cluster;

import dev.junction.config.ClusterPeer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cluster} section of three nodes' configuration (docs/cluster.md) and the free ports it names, shared by
 * the cluster tests that start brokers in this JVM and those that start broker processes.
 */
public final class ClusterPeers {

    public static final String[] IDS = {"n1", "n2", "n3"};

    private ClusterPeers() {
    }

    /**
     * The {@code cluster} section of node {@code IDS[i]}, its Raft log in {@code raftDir}, with every node as a peer
     * at {@code 127.0.0.1:ports[p]} and elections timing out between {@code minMs} and {@code maxMs}.
     */
    public static String section(int i, int[] ports, Path raftDir, int minMs, int maxMs) {
        return section(i, new String[] {"127.0.0.1", "127.0.0.1", "127.0.0.1"}, ports, raftDir, minMs, maxMs);
    }

    /** As above, node {@code IDS[p]} binding and reached at {@code hosts[p]}. */
    public static String section(int i, String[] hosts, int[] ports, Path raftDir, int minMs, int maxMs) {
        StringBuilder peers = new StringBuilder();
        for (int p = 0; p < IDS.length; p++) {
            peers.append("    - { id: ").append(IDS[p]).append(", address: \"").append(hosts[p]).append(':')
                    .append(ports[p]).append("\" }\n");
        }
        return """
                cluster:
                  node_id: %s
                  bind: %s
                  port: %d
                  dir: "%s"
                  election_timeout_min_ms: %d
                  election_timeout_max_ms: %d
                  peers:
                """.formatted(IDS[i], hosts[i], ports[i], raftDir, minMs, maxMs) + peers;
    }

    /**
     * For nodes started in this JVM: a Raft server that cannot bind its port ends the process (Ratis's
     * {@code ExitUtils}), which would take the whole test JVM down with it; it throws instead, and the test fails.
     */
    public static void inThisJvm() {
        org.apache.ratis.util.ExitUtils.disableSystemExit();
    }

    /**
     * A socket on a free port below the kernel's ephemeral range, for a node that is killed and started again on the
     * same ports: while it is down, any outgoing connection on the machine (its peers reconnect every few hundred
     * milliseconds) may get a port of the ephemeral range as its local one, and the node could not bind it again.
     */
    public static ServerSocket belowEphemeralRange() throws IOException {
        // Linux's ephemeral range starts at 32768 by default; the quorum port (+ offset) stays below it too.
        int from = 10000;
        int to = 32768 - ClusterPeer.QUORUM_PORT_OFFSET;
        java.util.Random random = new java.util.Random();
        for (int tries = 0; tries < 1000; tries++) {
            try {
                return new ServerSocket(from + random.nextInt(to - from));
            } catch (IOException taken) {
                // try another
            }
        }
        return new ServerSocket(0);
    }

    /**
     * Ports p whose p + ClusterPeer.QUORUM_PORT_OFFSET is free too (a node's quorum groups listen there), held together until all are chosen so
     * that no node's p or p + offset is another's.
     */
    public static int[] freePortPairs(int n) throws IOException {
        inThisJvm();
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; ) {
                // Below the ephemeral range: a node stopped and started again binds the same ports, which an
                // outgoing connection (its peers reconnecting) could otherwise have taken meanwhile.
                ServerSocket s = belowEphemeralRange();
                held.add(s);
                try {
                    held.add(new ServerSocket(s.getLocalPort() + ClusterPeer.QUORUM_PORT_OFFSET));
                    ports[i++] = s.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
