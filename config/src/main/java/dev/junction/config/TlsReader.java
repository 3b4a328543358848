package dev.junction.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Reads a listener's {@code tls:} block. Relative paths are resolved against the directory of the config file, so
 * a config and its {@code certs/} directory can move together. The files are read and checked here as well
 * ({@link TlsFiles}), so {@code check-config} catches a bad certificate or key.
 */
final class TlsReader {
    static final List<String> TLS_KEYS = List.of("cert_file", "key_file", "keystore_password", "ca_file",
            "client_auth", "identity", "versions", "ciphers", "watch_interval_ms");
    /** How often the files are checked for a new certificate by default (certificate rotation). */
    static final long DEFAULT_WATCH_INTERVAL_MS = 5_000;
    static final List<String> VERSIONS = List.of("TLSv1.2", "TLSv1.3");

    private TlsReader() {
    }

    static TlsConfig read(YamlMapping section, Path baseDir) throws ConfigException {
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (String key : TLS_KEYS) {
            lines.put(key, section.lineOf(key));
        }
        TlsConfig.Origin origin = new TlsConfig.Origin(section.source(), section.path(), section.line(), lines);
        if (!section.has("cert_file")) {
            throw new ConfigException(section.source(), section.line(), section.pathOf("cert_file"),
                    "required: the server's PEM certificate chain (with key_file) or a PKCS#12 keystore");
        }
        Path cert = path(section, "cert_file", baseDir);
        Optional<Path> key = section.has("key_file") ? Optional.of(path(section, "key_file", baseDir)) : Optional.empty();
        Optional<Path> ca = section.has("ca_file") ? Optional.of(path(section, "ca_file", baseDir)) : Optional.empty();
        TlsConfig.ClientAuth clientAuth = section.enumValue("client_auth", TlsConfig.ClientAuth.NONE,
                TlsConfig.ClientAuth.class);
        TlsConfig.Identity identity = section.enumValue("identity", TlsConfig.Identity.NONE, TlsConfig.Identity.class);
        if (clientAuth != TlsConfig.ClientAuth.NONE && ca.isEmpty()) {
            throw section.error("client_auth", "client_auth " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs ca_file: the CA certificates client certificates are verified against");
        }
        if (identity != TlsConfig.Identity.NONE && clientAuth == TlsConfig.ClientAuth.NONE) {
            throw section.error("identity", "takes the user name from the client certificate, so client_auth must"
                    + " be optional or required");
        }
        TlsConfig tls = new TlsConfig(cert, key, section.optionalString("keystore_password"), ca, clientAuth,
                identity, versions(section), ciphers(section),
                section.longInteger("watch_interval_ms", DEFAULT_WATCH_INTERVAL_MS, 0, 86_400_000L), origin);
        tls.load(); // check the files now; the broker reads them again when it starts the listener
        return tls;
    }

    private static Path path(YamlMapping section, String key, Path baseDir) throws ConfigException {
        String text = section.nonEmptyString(key, "");
        try {
            // Text without a file (a test's config) has no directory: its paths are taken as given.
            return baseDir == null ? Path.of(text).normalize() : baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw section.error(key, "'" + text + "' is not a valid path: " + e.getReason());
        }
    }

    private static List<String> versions(YamlMapping section) throws ConfigException {
        Optional<YamlValue> value = section.get("versions");
        if (value.isEmpty()) {
            return VERSIONS;
        }
        List<String> out = new ArrayList<>();
        for (YamlValue item : value.get().asList()) {
            String v = item.asNonEmptyString();
            if (!VERSIONS.contains(v)) {
                throw item.error("unsupported TLS version " + YamlValue.quote(v) + " (expected TLSv1.2 or TLSv1.3;"
                        + " older versions are insecure)");
            }
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw value.get().error("at least one TLS version is required (TLSv1.2, TLSv1.3)");
        }
        return out;
    }

    /** Cipher suites by their standard (IANA) names, as the JDK knows them; empty means the provider's defaults. */
    private static List<String> ciphers(YamlMapping section) throws ConfigException {
        Optional<YamlValue> value = section.get("ciphers");
        if (value.isEmpty()) {
            return List.of();
        }
        Set<String> known = knownCiphers();
        List<String> out = new ArrayList<>();
        for (YamlValue item : value.get().asList()) {
            String c = item.asNonEmptyString();
            if (!known.contains(c)) {
                throw item.error("unknown cipher suite " + YamlValue.quote(c)
                        + " (use IANA names such as TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
            out.add(c);
        }
        return out;
    }

    private static Set<String> knownCiphers() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides a default SSLContext", e);
        }
    }
}
