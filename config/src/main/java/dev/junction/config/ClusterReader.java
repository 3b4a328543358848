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
            "log_segment_bytes", "allow_insecure");
    static final List<String> PEER_KEYS = List.of("id", "address");

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
        if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
            throw section.error("node_id", "node '" + nodeId + "' is not in peers (every member, this node "
                    + "included)");
        }
        boolean allowInsecure = section.bool("allow_insecure", false);
        if (!allowInsecure && !loopback(bind)) {
            // The Raft port is plain gRPC: whoever reaches it can join the log's traffic and forge entries.
            throw section.errorAtKey("bind", "'" + bind + "' is not a loopback address, and the Raft port has no "
                    + "encryption or authentication: bind it to 127.0.0.1, or set cluster.allow_insecure: true to "
                    + "bind it where only the cluster's own private network reaches it (docs/cluster.md, Security)");
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
        return Optional.of(new ClusterConfig(nodeId, bind, port, path, peers, Duration.ofMillis(min),
                Duration.ofMillis(max), snapshots, segment, allowInsecure));
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
            peers.add(new ClusterPeer(id, host(peer), port(peer)));
        }
        if (peers.isEmpty()) {
            throw section.error("peers", "the peer list is empty");
        }
        return peers;
    }

    private static String host(YamlMapping peer) throws ConfigException {
        String address = peer.nonEmptyString("address", "");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || address.chars().anyMatch(Character::isWhitespace)) {
            throw peer.error("address", "'" + address + "' is not host:port");
        }
        return address.substring(0, colon);
    }

    private static int port(YamlMapping peer) throws ConfigException {
        String address = peer.nonEmptyString("address", "");
        try {
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            if (port >= 1 && port <= ConfigReader.MAX_PORT) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, with the key
        }
        throw peer.error("address", "'" + address + "' has no port between 1 and " + ConfigReader.MAX_PORT);
    }
}
