package dev.junction.amqp10;

import dev.junction.routing.api.Engine;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.auth.backend.AuthChain;
import dev.junction.routing.auth.backend.InternalBackend;
import dev.junction.routing.guard.LogLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the AMQP 1.0 connections of a broker share: the settings, the engine API, the login chain and the
 * limiter of log lines a flood of bad connections could repeat.
 */
final class Amqp10Server {
    private final Amqp10Settings settings;
    private final Engine engine;
    private final AuthChain fallback;
    /** At most one line per kind every 10 s: malformed frames, internal errors. */
    private final LogLimiter logLimiter = new LogLimiter(10, TimeUnit.SECONDS);

    Amqp10Server(Amqp10Settings settings, Engine engine, MeterRegistry registry) {
        this.settings = settings;
        this.engine = engine;
        this.fallback = new AuthChain(List.of(new InternalBackend(settings.users())), Duration.ZERO, 0, registry);
    }

    Amqp10Settings settings() {
        return settings;
    }

    Engine engine() {
        return engine;
    }

    /**
     * The chain PLAIN logins are checked by, the same as AMQP 0-9-1's: the broker's configured backends
     * ({@code auth.backends}), or where none were set up the users this module was given.
     */
    AuthChain logins() {
        return engine.authBackends().map(AuthBackends::chain).orElse(fallback);
    }

    LogLimiter logLimiter() {
        return logLimiter;
    }
}
