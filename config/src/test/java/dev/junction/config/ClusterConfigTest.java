package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cluster} section: absent means a broker alone; present, every mistake names file, line and key. */
class ClusterConfigTest {

    private static final String THREE = """
            cluster:
              node_id: n2
              bind: 127.0.0.1
              port: 7002
              dir: raft
              peers:
                - { id: n1, address: "127.0.0.1:7001" }
                - { id: n2, address: "127.0.0.1:7002" }
                - { id: n3, address: "127.0.0.1:7003" }
            """;

    @Test
    void noSectionIsABrokerAlone() throws ConfigException {
        assertThat(parse("").cluster()).isEmpty();
    }

    @Test
    void theIssuesShapeIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, THREE);
        ClusterConfig c = ConfigLoader.load(file).cluster().orElseThrow();
        assertThat(c.nodeId()).isEqualTo("n2");
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(7002);
        assertThat(c.dir()).isEqualTo(dir.toAbsolutePath().resolve("raft"));
        assertThat(c.peers()).containsExactly(new ClusterPeer("n1", "127.0.0.1", 7001),
                new ClusterPeer("n2", "127.0.0.1", 7002), new ClusterPeer("n3", "127.0.0.1", 7003));
        assertThat(c.self()).contains(new ClusterPeer("n2", "127.0.0.1", 7002));
        assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.electionTimeoutMax()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.snapshotInterval()).isEqualTo(ClusterConfig.DEFAULT_SNAPSHOT_INTERVAL);
        assertThat(c.logSegmentBytes()).isEqualTo(ClusterConfig.DEFAULT_LOG_SEGMENT_BYTES);
    }

    @Test
    void electionTimeoutsAreKeys() throws ConfigException {
        ClusterConfig c = parse(THREE + "  election_timeout_min_ms: 300\n  election_timeout_max_ms: 600\n")
                .cluster().orElseThrow();
        assertThat(List.of(c.electionTimeoutMin(), c.electionTimeoutMax()))
                .containsExactly(Duration.ofMillis(300), Duration.ofMillis(600));
        assertRejected(THREE + "  election_timeout_min_ms: 600\n  election_timeout_max_ms: 600\n", 11,
                "cluster.election_timeout_max_ms", "greater than election_timeout_min_ms");
    }

    @Test
    void theRaftClientsRequestTimeoutIsAKeyWithRatissDefault() throws ConfigException {
        assertThat(parse(THREE).cluster().orElseThrow().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(parse(THREE + "  request_timeout_ms: 20000\n").cluster().orElseThrow().requestTimeout())
                .isEqualTo(Duration.ofSeconds(20));
        assertRejected(THREE + "  request_timeout_ms: 10\n", 10, "cluster.request_timeout_ms", "100");
    }

    /**
     * At-least-once dead-lettering's retry interval and confirm timeout: 3 s and 30 s unless set, each within its
     * range, an error naming the key otherwise (docs/cluster.md, "At-least-once dead-lettering").
     */
    @Test
    void deadLetterRetryAndConfirmTimeoutAreKeysWithinRanges() throws ConfigException {
        ClusterConfig defaults = parse(THREE).cluster().orElseThrow();
        assertThat(defaults.deadLetterRetry()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.deadLetterConfirmTimeout()).isEqualTo(Duration.ofSeconds(30));
        ClusterConfig set = parse(THREE + "  dead_letter_retry_ms: 500\n  dead_letter_confirm_timeout_ms: 5000\n")
                .cluster().orElseThrow();
        assertThat(set.deadLetterRetry()).isEqualTo(Duration.ofMillis(500));
        assertThat(set.deadLetterConfirmTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertRejected(THREE + "  dead_letter_retry_ms: 99\n", 10, "cluster.dead_letter_retry_ms", "100");
        assertRejected(THREE + "  dead_letter_retry_ms: 3600001\n", 10, "cluster.dead_letter_retry_ms", "3600000");
        assertRejected(THREE + "  dead_letter_confirm_timeout_ms: 999\n", 10,
                "cluster.dead_letter_confirm_timeout_ms", "1000");
        assertRejected(THREE + "  dead_letter_confirm_timeout_ms: 600001\n", 10,
                "cluster.dead_letter_confirm_timeout_ms", "600000");
    }

    /**
     * {@code default_queue_type}: quorum unless the operator says classic, as RabbitMQ's {@code default_queue_type}
     * names the type a queue declared without {@code x-queue-type} gets (docs/cluster.md, "Default queue type").
     */
    @Test
    void theDefaultQueueTypeIsQuorumUnlessToldClassic() throws ConfigException {
        assertThat(parse(THREE).cluster().orElseThrow().defaultQueueType())
                .isEqualTo(ClusterConfig.DefaultQueueType.QUORUM);
        assertThat(parse(THREE + "  default_queue_type: classic\n").cluster().orElseThrow().defaultQueueType())
                .isEqualTo(ClusterConfig.DefaultQueueType.CLASSIC);
        assertThat(parse(THREE + "  default_queue_type: Quorum\n").cluster().orElseThrow().defaultQueueType())
                .isEqualTo(ClusterConfig.DefaultQueueType.QUORUM);
        assertRejected(THREE + "  default_queue_type: stream\n", 10, "cluster.default_queue_type",
                "expected one of classic, quorum, got 'stream'");
    }

    @Test
    void mistakesNameTheLineAndKey() {
        assertRejected(THREE.replace("node_id: n2", "node_id: n9"), 2, "cluster.node_id", "not in peers");
        assertRejected(THREE.replace("127.0.0.1:7003", "127.0.0.1"), 9, "cluster.peers[2].address",
                "not host:port");
        assertRejected(THREE.replace("127.0.0.1:7003", "127.0.0.1:99999"), 9, "cluster.peers[2].address",
                "no port");
        assertRejected(THREE.replace("id: n3", "id: n1"), 9, "cluster.peers[2].id", "listed twice");
        assertRejected(THREE.replace("port: 7002", "prot: 7002"), 4, "cluster.prot", "");
        assertRejected("cluster: { node_id: n1 }\n", 1, "cluster.peers", "needs peers");
    }

    @Test
    void theRaftPortBindsLoopbackUnlessInsecureIsAllowed() throws ConfigException {
        assertThat(parse(THREE).cluster().orElseThrow().allowInsecure()).isFalse();
        assertThat(parse(THREE.replace("127.0.0.1\n", "localhost\n")).cluster()).isPresent();
        assertRejected(THREE.replace("bind: 127.0.0.1", "bind: 10.0.0.5"), 3, "cluster.bind",
                "'10.0.0.5' is not a loopback address, and without cluster.tls the Raft port has no encryption or "
                        + "authentication");
        // Without a bind key the default (every interface) is refused too, at the cluster: line, saying it is the
        // default (it named the node_id line before, as if the file said 0.0.0.0 there).
        assertRejected(THREE.replace("  bind: 127.0.0.1\n", ""), 1, "cluster.bind",
                "not given, so the default '0.0.0.0' (every interface) was used, which is not a loopback address");
        assertRejected("\n" + THREE.replace("  bind: 127.0.0.1\n", ""), 2, "cluster.bind", "the default '0.0.0.0'");
        ClusterConfig open = parse(THREE.replace("bind: 127.0.0.1", "bind: 0.0.0.0") + "  allow_insecure: true\n")
                .cluster().orElseThrow();
        assertThat(open.bind()).isEqualTo("0.0.0.0");
        assertThat(open.allowInsecure()).isTrue();
    }

    @Test
    void theQuorumPortIsTheRaftPortPlusTheOffsetUnlessSet() throws ConfigException {
        ClusterConfig c = parse(THREE).cluster().orElseThrow();
        assertThat(c.quorumPort()).isEqualTo(7102);
        assertThat(c.peers().get(0).quorumAddress()).isEqualTo("127.0.0.1:7101");
        // consecutive Raft ports, as three nodes on one machine are usually given, leave every address distinct
        assertThat(c.peers().stream().flatMap(p -> java.util.stream.Stream.of(p.address(), p.quorumAddress())))
                .doesNotHaveDuplicates().hasSize(6);
        assertThat(c.join()).isFalse();
        ClusterConfig set = parse(THREE.replace("- { id: n1, address: \"127.0.0.1:7001\" }",
                        "- { id: n1, address: \"127.0.0.1:7001\", quorum_address: \"127.0.0.1:7101\" }")
                + "  quorum_port: 7102\n  join: true\n").cluster().orElseThrow();
        assertThat(set.quorumPort()).isEqualTo(7102);
        assertThat(set.join()).isTrue();
        assertThat(set.peers()).extracting(ClusterPeer::quorumAddress)
                .containsExactly("127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103");
    }

    @Test
    void quorumPortMistakesNameTheLineAndKey() {
        assertRejected(THREE + "  quorum_port: 7002\n", 10, "cluster.quorum_port", "is the Raft port");
        assertRejected(THREE.replace("- { id: n2, address: \"127.0.0.1:7002\" }",
                        "- { id: n2, address: \"127.0.0.1:7002\", quorum_address: \"127.0.0.1:7202\" }")
                + "  quorum_port: 7102\n", 10, "cluster.quorum_port", "differs from this node's quorum_address");
        assertRejected(THREE.replace("- { id: n3, address: \"127.0.0.1:7003\" }",
                "- { id: n3, address: \"127.0.0.1:7003\", quorum_address: \"7103\" }"), 9,
                "cluster.peers[2].quorum_address", "not host:port");
        assertRejected(THREE + "  quorum_port: 70000\n", 10, "cluster.quorum_port", "");
    }
}
