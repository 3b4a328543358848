package dev.junction.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code cluster} section (docs/cluster.md): this node's id, the address its Raft server binds, the
 * directory of its Raft logs and snapshots (a relative {@code dir} was resolved against the config file's
 * directory), every member including this one, the Raft election timeout range, and how many log entries
 * apart the metadata snapshots are and the size of the Raft log's segments (the closed segments before a
 * snapshot are purged). {@code allowInsecure}: the operator allowed the Raft port, which has neither encryption
 * nor authentication, to bind an address other than loopback. {@code quorumPort}: the port of this node's quorum
 * queues' Raft server (by default the Raft port plus {@link ClusterPeer#QUORUM_PORT_OFFSET}). {@code join}: this node joins a running cluster, so its
 * Raft groups start without a configuration of their own (no election) and get the cluster's from the leader
 * once an operator adds the node ({@code cluster_add_member}); it matters only while the node's Raft directories
 * are new, since a node that has run keeps the groups' current configuration there. {@code requestTimeout}: how long
 * this node's Raft client waits for an answer to a metadata request before it sends it again. {@code tls}: the
 * node's certificate and the CA its peers' certificates are verified against; present, every Raft port speaks
 * mutual TLS (docs/cluster.md, Security). {@code defaultQueueType}: the type of a durable queue that is neither
 * exclusive nor auto-delete and is declared without {@code x-queue-type} ({@code default_queue_type}, RabbitMQ's
 * {@code default_queue_type}); quorum unless the operator says classic (docs/cluster.md, "Default queue type").
 * {@code deadLetterRetry} and {@code deadLetterConfirmTimeout}: with at-least-once dead-lettering, how long a refused
 * republish of a quorum queue's dead letter waits before it is tried again, and how long a republish waits for its
 * targets' confirm before it counts as refused (docs/cluster.md, "At-least-once dead-lettering").
 */
public record ClusterConfig(String nodeId, String bind, int port, Path dir, List<ClusterPeer> peers,
                            Duration electionTimeoutMin, Duration electionTimeoutMax, long snapshotInterval,
                            int logSegmentBytes, boolean allowInsecure, int quorumPort, boolean join,
                            Duration requestTimeout, Optional<TlsConfig> tls, DefaultQueueType defaultQueueType,
                            Duration deadLetterRetry, Duration deadLetterConfirmTimeout) {

    /** The types {@code default_queue_type} takes. */
    public enum DefaultQueueType {
        /** A queue of the node it was declared on (its messages stay there); RabbitMQ's own default. */
        CLASSIC,
        /** A quorum queue, replicated and reached from every node. */
        QUORUM
    }

    public static final int DEFAULT_LOG_SEGMENT_BYTES = 1024 * 1024;

    public static final long DEFAULT_SNAPSHOT_INTERVAL = 10_000;

    /** Ratis's own default for a client's request. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

    /** At-least-once dead-lettering's retry interval and confirm timeout, as they were before they were keys. */
    public static final Duration DEFAULT_DEAD_LETTER_RETRY = Duration.ofSeconds(3);

    public static final Duration DEFAULT_DEAD_LETTER_CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    public ClusterConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dir, "dir");
        peers = List.copyOf(peers);
        Objects.requireNonNull(electionTimeoutMin, "electionTimeoutMin");
        Objects.requireNonNull(electionTimeoutMax, "electionTimeoutMax");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(defaultQueueType, "defaultQueueType");
        Objects.requireNonNull(deadLetterRetry, "deadLetterRetry");
        Objects.requireNonNull(deadLetterConfirmTimeout, "deadLetterConfirmTimeout");
    }

    /** A node that does not join: its quorum server on the Raft port plus {@link ClusterPeer#QUORUM_PORT_OFFSET}. */
    public ClusterConfig(String nodeId, String bind, int port, Path dir, List<ClusterPeer> peers,
                         Duration electionTimeoutMin, Duration electionTimeoutMax, long snapshotInterval,
                         int logSegmentBytes, boolean allowInsecure) {
        this(nodeId, bind, port, dir, peers, electionTimeoutMin, electionTimeoutMax, snapshotInterval,
                logSegmentBytes, allowInsecure, port + ClusterPeer.QUORUM_PORT_OFFSET, false, DEFAULT_REQUEST_TIMEOUT,
                Optional.empty(), DefaultQueueType.QUORUM, DEFAULT_DEAD_LETTER_RETRY,
                DEFAULT_DEAD_LETTER_CONFIRM_TIMEOUT);
    }

    /** The peer entry of this node. */
    public Optional<ClusterPeer> self() {
        return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst();
    }
}
