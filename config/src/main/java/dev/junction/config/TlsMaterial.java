package dev.junction.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The contents of a listener's TLS files: the server's key, its certificate chain (leaf first) and the CA
 * certificates client certificates are verified against (empty when no {@code ca_file} is given).
 */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
    public TlsMaterial {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        trusted = List.copyOf(trusted);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    // Never print the key.
    @Override
    public String toString() {
        return "TlsMaterial[subject=" + chain.get(0).getSubjectX500Principal() + ", trusted=" + trusted.size() + "]";
    }
}
