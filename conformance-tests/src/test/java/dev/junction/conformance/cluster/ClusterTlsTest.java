package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.config.ClusterPeer;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import dev.junction.conformance.tls.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code cluster.tls} (docs/cluster.md, Security) every Raft port of a node, the metadata group's and the
 * quorum groups', speaks mutual TLS: the nodes form a cluster and replicate over it, and a connection that cannot
 * show a certificate from the cluster's CA gets no Raft traffic, whatever else it presents.
 */
class ClusterTlsTest {
    /** What an HTTP/2 client sends first (RFC 9113 section 3.4), then an empty SETTINGS frame. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    private static final int SETTINGS = 4;

    @TempDir
    static Path dir;
    private static TestPki clusterCa;
    private static QuorumCluster3 cluster;

    @BeforeAll
    static void start() throws Exception {
        clusterCa = TestPki.create("Junction cluster CA");
        clusterCa.writeCa(dir.resolve("tls/ca.pem"));
        // One certificate for every node here: all of them are 127.0.0.1, which the certificate names.
        clusterCa.server().writePem(dir.resolve("tls/node.pem"), dir.resolve("tls/node.key"));
        cluster = new QuorumCluster3(dir, """
                  tls:
                    cert_file: "%s"
                    key_file: "%s"
                    ca_file: "%s"
                """.formatted(dir.resolve("tls/node.pem"), dir.resolve("tls/node.key"), dir.resolve("tls/ca.pem")));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void nodesWithCertificatesOfTheClusterCaReplicateDefinitionsAndQuorumQueuesOverTls() throws Exception {
        cluster.declare("n1", ch -> ch.queueDeclare("tls.q", true, false, false,
                Map.of("x-queue-type", "quorum")));
        try (Connection publisher = cluster.connect("n1"); Connection reader = cluster.connect("n2")) {
            Channel out = publisher.createChannel();
            out.confirmSelect();
            out.basicPublish("", "tls.q", null, "over tls".getBytes(StandardCharsets.UTF_8));
            out.waitForConfirmsOrDie(60_000);
            Channel in = reader.createChannel();
            // The declaration reached node 2 through the metadata group.
            assertThat(in.queueDeclarePassive("tls.q").getQueue()).isEqualTo("tls.q");
            String[] got = new String[1];
            in.basicConsume("tls.q", true, (tag, m) -> got[0] = new String(m.getBody(), StandardCharsets.UTF_8),
                    tag -> { });
            QuorumCluster3.await("the message on node 2", () -> "over tls".equals(got[0]));
        }
    }

    @Test
    void aPeerWithAClusterCertificateIsAnsweredInHttp2() throws Exception {
        SSLContext member = clusterCa.client("n4", "localhost").clientContext(clusterCa);
        for (int port : raftPorts()) {
            // The control for the refusals below: the same exchange, answered.
            assertThat(framesAnswered(member, port)).as("port " + port).isTrue();
        }
    }

    @Test
    void aCertificateFromAnotherCaGetsNoRaftTraffic() throws Exception {
        TestPki other = TestPki.create("Someone else's CA");
        // It trusts the cluster's CA, so only its own certificate can be what is refused.
        SSLContext outsider = other.client("n1", "localhost").clientContext(clusterCa);
        for (int port : raftPorts()) {
            assertThat(framesAnswered(outsider, port)).as("port " + port).isFalse();
        }
    }

    @Test
    void aClientWithoutACertificateGetsNoRaftTraffic() throws Exception {
        SSLContext anonymous = clusterCa.trustingContext();
        for (int port : raftPorts()) {
            assertThat(framesAnswered(anonymous, port)).as("port " + port).isFalse();
        }
    }

    @Test
    void plainGrpcGetsNoRaftTraffic() throws Exception {
        for (int port : raftPorts()) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(PREFACE);
                s.getOutputStream().write(EMPTY_SETTINGS);
                s.getOutputStream().flush();
                assertThat(settingsFrame(s.getInputStream())).as("port " + port).isFalse();
            }
        }
    }

    private static int[] raftPorts() {
        int raft = cluster.raftPort("n1");
        return new int[] {raft, raft + ClusterPeer.QUORUM_PORT_OFFSET};
    }

    /**
     * Whether the server answers an HTTP/2 preface with its SETTINGS frame. A refused client certificate fails the
     * handshake, or (TLS 1.3, where the client's handshake ends before the server has checked it) ends the
     * connection at the first read, with an alert or without.
     */
    private static boolean framesAnswered(SSLContext context, int port) throws Exception {
        try (SSLSocket s = handshake(context, port)) {
            s.getOutputStream().write(PREFACE);
            s.getOutputStream().write(EMPTY_SETTINGS);
            s.getOutputStream().flush();
            return settingsFrame(s.getInputStream());
        } catch (IOException refused) {
            return false;
        }
    }

    private static boolean settingsFrame(InputStream in) throws IOException {
        try {
            byte[] header = in.readNBytes(9);
            return header.length == 9 && header[3] == SETTINGS;
        } catch (IOException closed) {
            return false;
        }
    }

    private static SSLSocket handshake(SSLContext context, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        SSLParameters parameters = s.getSSLParameters();
        // gRPC's server speaks HTTP/2 only, negotiated by ALPN.
        parameters.setApplicationProtocols(new String[] {"h2"});
        s.setSSLParameters(parameters);
        s.startHandshake();
        return s;
    }
}
