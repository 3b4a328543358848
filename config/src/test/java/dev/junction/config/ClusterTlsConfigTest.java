package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.tls} (docs/cluster.md, Security): the node's certificate and the cluster's CA, read as a listener's
 * block; with it the Raft port may bind any address, since every peer must then prove itself.
 */
class ClusterTlsConfigTest {
    private static final String OPEN = """
            cluster:
              node_id: n1
              bind: 0.0.0.0
              peers:
                - { id: n1, address: "10.0.0.1:7001" }
                - { id: n2, address: "10.0.0.2:7001" }
              tls:
            """;

    @TempDir
    Path dir;
    private String files;

    @BeforeEach
    void certificates() throws Exception {
        TlsCertificates.valid("EC").writePem(dir.resolve("node.pem"), dir.resolve("node.key"));
        TlsCertificates.valid("EC").writePem(dir.resolve("ca.pem"), dir.resolve("ca.key"));
        files = "    cert_file: \"" + dir.resolve("node.pem") + "\"\n    key_file: \"" + dir.resolve("node.key") + "\"\n";
    }

    @Test
    void withTlsTheRaftPortMayBindEveryInterface() throws ConfigException {
        ClusterConfig c = parse(OPEN + files + "    ca_file: \"" + dir.resolve("ca.pem") + "\"\n").cluster()
                .orElseThrow();
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.allowInsecure()).isFalse();
        assertThat(c.tls()).hasValueSatisfying(t -> assertThat(t.caFile()).contains(dir.resolve("ca.pem")));
    }

    @Test
    void theCaIsRequiredSinceEveryNodeMustShowACertificate() {
        assertRejected(OPEN + files, 8, "cluster.tls.ca_file", "required");
    }

    @Test
    void aListenersClientAuthKeyIsNotAClusterKey() {
        assertRejected(OPEN + files + "    ca_file: \"" + dir.resolve("ca.pem") + "\"\n    client_auth: none\n", 11,
                "cluster.tls.client_auth", "");
    }

    @Test
    void aMissingCertificateFileNamesTheKey() {
        assertRejected(OPEN + "    cert_file: \"" + dir.resolve("absent.pem") + "\"\n    key_file: \""
                + dir.resolve("node.key") + "\"\n    ca_file: \"" + dir.resolve("ca.pem") + "\"\n", 8,
                "cluster.tls.cert_file", "");
    }
}
