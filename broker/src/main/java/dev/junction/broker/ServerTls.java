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
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * A listener's TLS: the Netty {@link SslContext} built from its {@code tls:} block, handed out per new connection
 * through {@link #current()}. Rules: a connection takes the context current when it is accepted and keeps it for
 * its lifetime, so replacing the context (certificate rotation) only affects connections accepted afterwards.
 * The provider is OpenSSL (BoringSSL from netty-tcnative) when its native library loads and the JDK's otherwise;
 * the system property {@code junction.tls.provider=jdk} forces the JDK provider.
 */
final class ServerTls implements Supplier<SslContext> {
    static final String PROVIDER_PROPERTY = "junction.tls.provider";

    private final String listener;
    private final TlsConfig config;
    private final SslProvider provider;
    private volatile SslContext context;

    private ServerTls(String listener, TlsConfig config, SslProvider provider, SslContext context) {
        this.listener = listener;
        this.config = config;
        this.provider = provider;
        this.context = context;
    }

    /** Reads the files and builds the context; problems are config errors naming the tls key. */
    static ServerTls create(String listener, TlsConfig config) throws ConfigException {
        SslProvider provider = provider();
        return new ServerTls(listener, config, provider, build(config, provider));
    }

    /** Builds every configured TLS context once and throws it away: {@code check-config}'s view of the TLS blocks. */
    static void checkAll(JunctionConfig config) throws ConfigException {
        for (ListenerConfig l : List.of(config.listeners().http(), config.listeners().amqps(),
                config.listeners().mqtts(), config.listeners().mqttWss())) {
            if (l.tls().isPresent()) {
                build(l.tls().get(), provider());
            }
        }
    }

    static SslProvider provider() {
        boolean forceJdk = "jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, ""));
        return !forceJdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static SslContext build(TlsConfig config, SslProvider provider) throws ConfigException {
        TlsMaterial material = config.load();
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
