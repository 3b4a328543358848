package dev.junction.broker;

import dev.junction.config.ConfigException;
import dev.junction.config.JunctionConfig;
import dev.junction.config.ListenerConfig;
import dev.junction.config.TlsConfig;
import dev.junction.config.TlsMaterial;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's TLS: the Netty {@link SslContext} built from its {@code tls:} block, handed out per new connection
 * through {@link #current()}. Rules: a connection takes the context current when it is accepted and keeps it for
 * its lifetime, so replacing the context (certificate rotation) only affects connections accepted afterwards.
 * The provider is OpenSSL (BoringSSL from netty-tcnative) when its native library loads and the JDK's otherwise;
 * the system property {@code junction.tls.provider=jdk} forces the JDK provider.
 *
 * <p>Rotation rules: {@link #reloadIfChanged()} runs on one thread only (the broker's TLS watcher), so the
 * fingerprints need no lock; the context itself is volatile because event loops read it. A changed file set is
 * checked exactly as at start; one that fails keeps the old context serving and is reported once (one WARN line),
 * not on every poll, until the files change again.
 */
final class ServerTls implements Supplier<SslContext> {
    static final String PROVIDER_PROPERTY = "junction.tls.provider";
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final String listener;
    private final TlsConfig config;
    private final SslProvider provider;
    private volatile SslContext context;
    /** Hash of the files the serving context was built from. Owned by the watcher thread. */
    private byte[] servedFiles;
    /** Hash of the last file set that was refused, so that it is reported once. Owned by the watcher thread. */
    private byte[] refusedFiles;

    private ServerTls(String listener, TlsConfig config, SslProvider provider, SslContext context, byte[] files) {
        this.listener = listener;
        this.config = config;
        this.provider = provider;
        this.context = context;
        this.servedFiles = files;
    }

    /** Reads the files and builds the context; problems are config errors naming the tls key. */
    static ServerTls create(String listener, TlsConfig config) throws ConfigException {
        SslProvider provider = provider();
        // Hashed before they are read: a file replaced in between only makes the first poll build once more.
        byte[] files = fingerprint(config);
        return new ServerTls(listener, config, provider, build(config.load(), config, provider), files);
    }

    String listener() {
        return listener;
    }

    /** How often the watcher checks the files; 0 = only on an explicit reload. */
    long watchIntervalMs() {
        return config.watchIntervalMs();
    }

    /**
     * Builds a new context when the certificate, key or CA file changed since the serving context was built, and
     * hands it to connections accepted from now on; connections already open keep the context they took.
     *
     * @return whether a new context now serves
     */
    boolean reloadIfChanged() {
        byte[] files = fingerprint(config);
        if (Arrays.equals(files, servedFiles) || Arrays.equals(files, refusedFiles)) {
            return false;
        }
        TlsMaterial material;
        SslContext next;
        try {
            material = config.load();
            next = build(material, config, provider);
        } catch (ConfigException e) {
            // A half-copied file set (new certificate, old key) lands here too, and is taken on the next poll.
            refusedFiles = files;
            LOG.warn("{}: new TLS files refused, the previous certificate keeps serving: {}", listener,
                    e.getMessage());
            return false;
        }
        context = next;
        servedFiles = files;
        refusedFiles = null;
        X509Certificate leaf = material.chain().get(0);
        LOG.info("{}: TLS files reloaded for new connections: certificate {} (serial {}, valid until {}), {} CA"
                + " certificate(s)", listener, leaf.getSubjectX500Principal().getName(),
                leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant(), material.trusted().size());
        return true;
    }

    /**
     * SHA-256 over the contents of the certificate, key and CA files. Contents rather than modification times:
     * a file copied over with its old time preserved ({@code cp -p}, {@code rsync -t}, a Kubernetes secret
     * swapping a symlink) still counts as changed, and a touched but unchanged file does not rebuild.
     */
    private static byte[] fingerprint(TlsConfig config) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        for (Optional<Path> file : List.of(Optional.of(config.certFile()), config.keyFile(), config.caFile())) {
            byte[] content;
            try {
                content = file.isPresent() ? Files.readAllBytes(file.get()) : new byte[0];
            } catch (NoSuchFileException e) {
                content = new byte[] {-1}; // absent: differs from an empty file, and load() reports it
            } catch (IOException e) {
                content = new byte[] {-2};
            }
            digest.update(Long.toString(content.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(content);
        }
        return digest.digest();
    }

    /** Builds every configured TLS context once and throws it away: {@code check-config}'s view of the TLS blocks. */
    static void checkAll(JunctionConfig config) throws ConfigException {
        for (ListenerConfig l : List.of(config.listeners().http(), config.listeners().amqps(),
                config.listeners().mqtts(), config.listeners().mqttWss(), config.listeners().amqp10())) {
            if (l.tls().isPresent()) {
                build(l.tls().get().load(), l.tls().get(), provider());
            }
        }
    }

    static SslProvider provider() {
        boolean forceJdk = "jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, ""));
        return !forceJdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static SslContext build(TlsMaterial material, TlsConfig config, SslProvider provider)
            throws ConfigException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(material.key(), material.chain().toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(config.versions())
                .clientAuth(switch (config.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (!material.trusted().isEmpty()) {
            builder.trustManager(material.trusted().toArray(X509Certificate[]::new));
        }
        if (!config.ciphers().isEmpty()) {
            builder.ciphers(config.ciphers());
        }
        try {
            return builder.build();
        } catch (SSLException | RuntimeException e) {
            String key = !config.ciphers().isEmpty() && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT)
                    .contains("cipher") ? "ciphers" : "cert_file";
            throw config.origin().error(key, "the TLS provider (" + describe(provider) + ") refuses it: "
                    + e.getMessage());
        }
    }

    @Override
    public SslContext get() {
        return current();
    }

    /** The context for a connection accepted now. */
    SslContext current() {
        return context;
    }

    /**
     * Appends the TLS handler and the certificate identity handler to a new connection's pipeline; the protocol's
     * handlers go after them. The TLS handshake runs inside the protocol's handshake timer, which starts when the
     * connection becomes active; Netty's own TLS handshake timeout (10 s) applies as well.
     */
    void install(Channel ch) {
        SslHandler ssl = current().newHandler(ch.alloc());
        ch.pipeline().addLast("tls", ssl).addLast("tls-peer", new TlsPeerHandler(listener, config.identity()));
    }

    /** For the start line: provider, versions and client authentication. */
    String describe() {
        return "TLS via " + describe(provider) + ", " + String.join("/", config.versions()) + ", client_auth "
                + config.clientAuth().name().toLowerCase(Locale.ROOT)
                + (config.identity() == TlsConfig.Identity.NONE ? ""
                        : ", identity " + config.identity().name().toLowerCase(Locale.ROOT));
    }

    private static String describe(SslProvider provider) {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "the JDK provider";
    }
}
