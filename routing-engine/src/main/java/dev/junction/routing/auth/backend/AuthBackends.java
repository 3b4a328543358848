package dev.junction.routing.auth.backend;

import dev.junction.config.AuthConfig;
import dev.junction.config.JunctionConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** Builds the chain a configuration asks for, and owns what its backends started (the HTTP client's threads). */
public final class AuthBackends implements AutoCloseable {
    private final AuthChain chain;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final JwtBackend jwt;

    public AuthBackends(JunctionConfig config, MeterRegistry registry) {
        this(config, registry, null);
    }

    /** With {@code users} (may be null: the config's users then) as the internal backend's users. */
    public AuthBackends(JunctionConfig config, MeterRegistry registry, dev.junction.routing.auth.Users users) {
        AuthConfig auth = config.auth();
        List<AuthBackend> backends = new ArrayList<>();
        JwtBackend jwtBackend = null;
        for (AuthConfig.Backend kind : auth.backends()) {
            switch (kind) {
                case INTERNAL -> backends.add(users == null ? new InternalBackend(config.users())
                        : new InternalBackend(users));
                case HTTP -> {
                    HttpBackend http = new HttpBackend(auth.http().orElseThrow(), config.users(), auth.cacheTtl(),
                            auth.cacheMaxEntries(), config.mqtt().exchange());
                    owned.add(http);
                    backends.add(http);
                }
                case JWT -> {
                    jwtBackend = new JwtBackend(auth.jwt().orElseThrow(), config.vhosts(), config.mqtt().exchange());
                    owned.add(jwtBackend); // a JWKS URL's fetch threads
                    backends.add(jwtBackend);
                }
            }
        }
        this.jwt = jwtBackend;
        this.chain = new AuthChain(backends, auth.cacheTtl(), auth.cacheMaxEntries(), registry);
    }

    public AuthChain chain() {
        return chain;
    }

    /** The JWT backend, when configured: AMQP connection.update-secret renews a token through it. */
    public java.util.Optional<JwtBackend> jwt() {
        return java.util.Optional.ofNullable(jwt);
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing threads; nothing to report
            }
        }
    }
}
