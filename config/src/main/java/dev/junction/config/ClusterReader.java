package dev.junction.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads the {@code cluster} section; absent, the broker runs alone exactly as without a cluster. */
final class ClusterReader {

    static final List<String> KEYS = List.of("node_id", "bind", "port", "dir", "peers", "election_timeout_min_ms",
            "election_timeout_max_ms", "snapshot_interval_entries",
            "log_segment_bytes", "allow_insecure", "quorum_port", "join", "request_timeout_ms", "tls",
            "default_queue_type", "dead_letter_retry_ms", "dead_letter_confirm_timeout_ms");
    /**
     * The keys of {@code cluster.tls}: a node's certificate and key, and the CA. Versions and cipher suites are
     * Ratis's (its gRPC transport takes no list), and client certificates are always required.
     */
    static final List<String> TLS_KEYS = List.of("cert_file", "key_file", "keystore_password", "ca_file");
    static final List<String> PEER_KEYS = List.of("id", "address", "quorum_address");

    private ClusterReader() {
    }

    static Optional<ClusterConfig> read(YamlMapping top, Path baseDir) throws ConfigException {
        if (!top.has("cluster")) {
            return Optional.empty();
        }
        YamlMapping section = top.section("cluster", KEYS);
        if (!section.has("node_id")) {
            throw top.error("cluster", "the cluster section needs node_id (this node's id in peers)");
        }
        String nodeId = section.nonEmptyString("node_id", "");
        String bind = section.nonEmptyString("bind", "0.0.0.0");
        int port = section.integer("port", 7001, 1, ConfigReader.MAX_PORT);
        String dir = section.nonEmptyString("dir", "raft");
        Path path;
        try {
            path = baseDir == null ? Path.of(dir) : baseDir.resolve(dir).normalize();
        } catch (InvalidPathException e) {
            throw section.error("dir", "'" + dir + "' is not a valid path: " + e.getReason());
        }
        List<ClusterPeer> peers = peers(section);
        ClusterPeer self = peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow(() ->
                section.error("node_id", "node '" + nodeId + "' is not in peers (every member, this node "
                        + "included)"));
        int quorumPort = quorumPort(section, self, port);
        if (quorumPort != self.quorumPort()) {
            // This node's own entry says where the others reach its quorum server: give it the same port.
            peers.set(peers.indexOf(self), self = new ClusterPeer(self.id(), self.host(), self.port(),
                    self.quorumHost(), quorumPort));
        }
        boolean allowInsecure = section.bool("allow_insecure", false);
        Optional<TlsConfig> tls = tls(section, baseDir);
        if (!allowInsecure && tls.isEmpty() && !loopback(bind)) {
            // Without TLS the Raft port is plain gRPC: whoever reaches it can join the log's traffic and forge entries.
            String problem = "is not a loopback address, and without cluster.tls the Raft port has no encryption or "
                    + "authentication: give the nodes certificates in cluster.tls (mutual TLS), bind it to 127.0.0.1, "
                    + "or set cluster.allow_insecure: true to bind it where only the cluster's own private network "
                    + "reaches it (docs/cluster.md, Security)";
            if (!section.has("bind")) {
                // No line of the file holds the default: point at the section that left it out.
                throw new ConfigException(section.source(), top.keyLine("cluster"), section.pathOf("bind"),
                        "not given, so the default '" + bind + "' (every interface) was used, which " + problem);
            }
            throw section.errorAtKey("bind", "'" + bind + "' " + problem);
        }
        int min = section.integer("election_timeout_min_ms", 1000, 50, 600_000);
        int max = section.integer("election_timeout_max_ms", Math.max(2000, min + 1), 51, 600_000);
        if (max <= min) {
            throw section.error("election_timeout_max_ms", "must be greater than election_timeout_min_ms (" + min
                    + ")");
        }
        long snapshots = section.longInteger("snapshot_interval_entries", ClusterConfig.DEFAULT_SNAPSHOT_INTERVAL, 1,
                Long.MAX_VALUE);
        int segment = section.integer("log_segment_bytes", ClusterConfig.DEFAULT_LOG_SEGMENT_BYTES, 1024,
                1024 * 1024 * 1024);
        int requestTimeout = section.integer("request_timeout_ms",
                (int) ClusterConfig.DEFAULT_REQUEST_TIMEOUT.toMillis(), 100, 600_000);
        // At-least-once dead-lettering: under 100 ms a refused backlog's probe would spin; past an hour (retry) or
        // ten minutes (a confirm) a dead letter would sit unnoticed longer than any operator waits for it.
        int deadLetterRetry = section.integer("dead_letter_retry_ms",
                (int) ClusterConfig.DEFAULT_DEAD_LETTER_RETRY.toMillis(), 100, 3_600_000);
        int deadLetterConfirm = section.integer("dead_letter_confirm_timeout_ms",
                (int) ClusterConfig.DEFAULT_DEAD_LETTER_CONFIRM_TIMEOUT.toMillis(), 1000, 600_000);
        return Optional.of(new ClusterConfig(nodeId, bind, port, path, peers, Duration.ofMillis(min),
                Duration.ofMillis(max), snapshots, segment, allowInsecure, quorumPort, section.bool("join", false),
                Duration.ofMillis(requestTimeout), tls, section.enumValue("default_queue_type",
                ClusterConfig.DefaultQueueType.QUORUM, ClusterConfig.DefaultQueueType.class),
                Duration.ofMillis(deadLetterRetry), Duration.ofMillis(deadLetterConfirm)));
    }

    /** {@code cluster.tls}, read as a listener's block; the CA is required, since every node must prove itself. */
    private static Optional<TlsConfig> tls(YamlMapping section, Path baseDir) throws ConfigException {
        if (!section.has("tls")) {
            return Optional.empty();
        }
        YamlMapping block = section.section("tls", TLS_KEYS);
        if (!block.has("ca_file")) {
            throw new ConfigException(block.source(), block.line(), block.pathOf("ca_file"), "required: the CA "
                    + "certificates every node's certificate is verified against (TLS between nodes is mutual)");
        }
        return Optional.of(TlsReader.read(block, baseDir));
    }

    /**
     * The port this node's quorum queues' Raft server binds: {@code quorum_port}, else the port of its own peer
     * entry's {@code quorum_address}, else the Raft port plus {@link ClusterPeer#QUORUM_PORT_OFFSET}. Both given must agree, and it is not the Raft port.
     */
    private static int quorumPort(YamlMapping section, ClusterPeer self, int port) throws ConfigException {
        if (!section.has("quorum_port")) {
            if (self.quorumPort() == port || self.quorumPort() > ConfigReader.MAX_PORT) {
                throw section.errorAtKey("port", "the quorum queues' server needs a port of its own: set "
                        + "cluster.quorum_port (the default, the Raft port plus " + ClusterPeer.QUORUM_PORT_OFFSET + ", is " + self.quorumPort() + ")");
            }
            return self.quorumPort();
        }
        int quorumPort = section.integer("quorum_port", port + ClusterPeer.QUORUM_PORT_OFFSET, 1, ConfigReader.MAX_PORT);
        if (quorumPort == port) {
            throw section.error("quorum_port", quorumPort + " is the Raft port (cluster.port); the quorum queues' "
                    + "server needs a port of its own");
        }
        boolean explicit = self.quorumPort() != self.port() + ClusterPeer.QUORUM_PORT_OFFSET || !self.quorumHost().equals(self.host());
        if (explicit && self.quorumPort() != quorumPort) {
            throw section.error("quorum_port", quorumPort + " differs from this node's quorum_address in peers ("
                    + self.quorumAddress() + ")");
        }
        return quorumPort;
    }

    /** Whether {@code host} is this machine's loopback (a name is resolved; one that does not resolve is not). */
    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException unknown) {
            return false;
        }
    }

    private static List<ClusterPeer> peers(YamlMapping section) throws ConfigException {
        Optional<YamlValue> value = section.get("peers");
        if (value.isEmpty()) {
            throw section.errorAtKey("peers", "the cluster section needs peers (every member, this node included)");
        }
        List<ClusterPeer> peers = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (YamlValue item : value.get().asList()) {
            YamlMapping peer = item.asMapping(PEER_KEYS);
            if (!peer.has("id") || !peer.has("address")) {
                throw item.error("a peer needs id and address, such as { id: n1, address: \"127.0.0.1:7001\" }");
            }
            String id = peer.nonEmptyString("id", "");
            if (!ids.add(id)) {
                throw peer.error("id", "peer '" + id + "' is listed twice");
            }
            String host = host(peer, "address");
            int port = port(peer, "address");
            peers.add(peer.has("quorum_address")
                    ? new ClusterPeer(id, host, port, host(peer, "quorum_address"), port(peer, "quorum_address"))
                    : new ClusterPeer(id, host, port));
        }
        if (peers.isEmpty()) {
            throw section.error("peers", "the peer list is empty");
        }
        return peers;
    }

    private static String host(YamlMapping peer, String key) throws ConfigException {
        String address = peer.nonEmptyString(key, "");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || address.chars().anyMatch(Character::isWhitespace)) {
            throw peer.error(key, "'" + address + "' is not host:port");
        }
        return address.substring(0, colon);
    }

    private static int port(YamlMapping peer, String key) throws ConfigException {
        String address = peer.nonEmptyString(key, "");
        try {
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            if (port >= 1 && port <= ConfigReader.MAX_PORT) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, with the key
        }
        throw peer.error(key, "'" + address + "' has no port between 1 and " + ConfigReader.MAX_PORT);
    }
}
