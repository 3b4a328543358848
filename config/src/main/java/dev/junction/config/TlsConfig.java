package dev.junction.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tls:} block of a listener. Paths are already resolved against the config file's directory.
 * {@code certFile} is a PEM certificate chain (leaf first) with its key in {@code keyFile}, or a PKCS#12 keystore
 * holding both, in which case {@code keyFile} is empty. {@code versions} and {@code ciphers} use the JDK's
 * (IANA) names; empty {@code ciphers} means the provider's defaults. {@code watchIntervalMs} is how often the broker
 * checks the files for a rotated certificate; 0 means only on an explicit reload.
 *
 * <p>The files are read by {@link #load()}, not kept here: the loader checks them once when the config is read and
 * the broker reads them again when it builds a TLS context, so a later reload can pick up new files.
 */
public record TlsConfig(Path certFile, Optional<Path> keyFile, Optional<String> keystorePassword,
                        Optional<Path> caFile, ClientAuth clientAuth, Identity identity, List<String> versions,
                        List<String> ciphers, long watchIntervalMs, Origin origin) {

    /** Whether clients are asked for a certificate; a presented one is always verified against {@code ca_file}. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

    /**
     * Where the user name of a client with a verified certificate comes from (RabbitMQ {@code ssl_cert_login_from},
     * Mosquitto {@code use_identity_as_username}).
     */
    public enum Identity { NONE, COMMON_NAME, SUBJECT_ALTERNATIVE_NAME }

    /** Where the block was written, so that problems found later (a cipher the provider lacks) name the key. */
    public record Origin(String source, String path, int line, Map<String, Integer> keyLines) {
        public Origin {
            keyLines = Map.copyOf(keyLines);
        }

        public ConfigException error(String key, String problem) {
            return new ConfigException(source, keyLines.getOrDefault(key, line), path + "." + key, problem);
        }
    }

    public TlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(identity, "identity");
        versions = List.copyOf(versions);
        ciphers = List.copyOf(ciphers);
        if (watchIntervalMs < 0) {
            throw new IllegalArgumentException("watchIntervalMs must not be negative: " + watchIntervalMs);
        }
        Objects.requireNonNull(origin, "origin");
    }

    /** Reads and checks the certificate, key and CA files; problems are config errors naming the key. */
    public TlsMaterial load() throws ConfigException {
        return TlsFiles.load(this);
    }

    // Never print the keystore password.
    @Override
    public String toString() {
        return "TlsConfig[certFile=" + certFile + ", keyFile=" + keyFile + ", caFile=" + caFile + ", clientAuth="
                + clientAuth + ", identity=" + identity + ", versions=" + versions + ", ciphers=" + ciphers + ", watchIntervalMs=" + watchIntervalMs + "]";
    }
}
