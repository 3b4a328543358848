package dev.junction.cluster;

import dev.junction.config.ClusterConfig;
import dev.junction.config.ConfigException;
import dev.junction.config.TlsConfig;
import dev.junction.config.TlsMaterial;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * How a node's Raft servers and clients talk to the other nodes: plain gRPC, or, with {@code cluster.tls}, mutual
 * TLS on every Raft port (the metadata group's and the quorum groups'), where each node presents its certificate
 * both as a server and as a client and accepts only peers whose certificate the cluster's CA signed. Ratis's gRPC
 * client also checks that a peer's certificate names the host its {@code address} gives (docs/cluster.md,
 * Security).
 *
 * <p>The files are read once, when the node starts; a rotated certificate takes a restart of the node, one node
 * at a time.
 */
public final class RaftTransport {

    private RaftTransport() {
    }

    /** The Ratis parameters for the node's servers and clients: empty without {@code cluster.tls}. */
    public static Parameters parameters(ClusterConfig config) throws IOException {
        Parameters parameters = new Parameters();
        Optional<TlsConfig> tls = config.tls();
        if (tls.isPresent()) {
            GrpcConfigKeys.TLS.setConf(parameters, mutual(load(tls.get())));
        }
        return parameters;
    }

    private static TlsMaterial load(TlsConfig tls) throws IOException {
        try {
            return tls.load();
        } catch (ConfigException e) {
            // Checked when the config was read; a file changed since then.
            throw new IOException(e.getMessage(), e);
        }
    }

    private static GrpcTlsConfig mutual(TlsMaterial material) throws IOException {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            // The whole chain, so that a node certificate signed by an intermediate CA reaches its peers with it.
            keys.setKeyEntry("node", material.key(), new char[0], material.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < material.trusted().size(); i++) {
                trust.setCertificateEntry("ca-" + i, material.trusted().get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return new GrpcTlsConfig(kmf.getKeyManagers()[0], tmf.getTrustManagers()[0], true);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the cluster's TLS certificates: " + e.getMessage(), e);
        }
    }
}
