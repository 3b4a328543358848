package dev.junction.routing.auth.backend;

import dev.junction.routing.auth.Refusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The configured backends ({@code auth.backends}), asked in order until one accepts a login. Protocol-neutral: the
 * AMQP and MQTT adapters hand over {@link Credentials} and get a {@link Verdict} back.
 *
 * <p>Rules:
 * <ul>
 *   <li>First acceptance wins; a refusal or a failure (timeout, unreachable service) moves on to the next backend,
 *       as RabbitMQ's {@code auth_backends} chain does. All refusing: the login is refused, failing closed.</li>
 *   <li>Decisions of cacheable backends are kept for {@code auth.cache_ttl_seconds}, keyed by the user name, a
 *       SHA-256 of the password, the vhosts asked about, whether the peer is local, the protocol and the MQTT client
 *       id, so a cached acceptance is never handed to other credentials. A verdict with an expiry (an access token) is kept no longer than it
 *       is valid. Failures are not cached: the next login asks again. At most {@code auth.cache_max_entries} are
 *       kept; when full, lapsed entries are dropped and, if none lapsed, new decisions go uncached.</li>
 *   <li>The login throttle stays in front of the chain (the adapters ask it before calling {@link #authenticate}).</li>
 *   <li>Never blocks: the future completes on the caller's thread for in-memory answers, otherwise on a backend's
 *       thread; adapters move the continuation onto the connection's event loop.</li>
 * </ul>
 * Meters: {@code junction.auth.backend.latency} (timer, per backend), {@code junction.auth.backend.results}
 * (counter, per backend and result {@code allow}, {@code deny}, {@code error}), {@code junction.auth.cache}
 * (counter, {@code hit}/{@code miss}).
 */
public final class AuthChain {
    private record Cached(Verdict verdict, long untilNanos) {
    }

    private final List<AuthBackend> backends;
    private final long ttlNanos;
    private final int maxEntries;
    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> results = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    public AuthChain(List<AuthBackend> backends, Duration ttl, int maxEntries, MeterRegistry registry) {
        this(backends, ttl, maxEntries, registry, System::nanoTime);
    }

    AuthChain(List<AuthBackend> backends, Duration ttl, int maxEntries, MeterRegistry registry, LongSupplier nanoClock) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("at least one backend");
        }
        this.backends = List.copyOf(backends);
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.registry = registry;
        this.nanoClock = nanoClock;
        this.hits = Counter.builder("junction.auth.cache").tag("result", "hit")
                .description("Logins answered from the auth decision cache").register(registry);
        this.misses = Counter.builder("junction.auth.cache").tag("result", "miss")
                .description("Logins a cacheable backend had to be asked about").register(registry);
    }

    public List<String> backendNames() {
        return backends.stream().map(AuthBackend::name).toList();
    }

    /** Asks the backends in order; the future never completes exceptionally. */
    public CompletableFuture<Verdict> authenticate(Credentials credentials) {
        return ask(0, credentials, new ArrayList<>(backends.size()), new ArrayList<>(backends.size()));
    }

    /**
     * Asks only the backend named {@code backend}, with the chain's cache and meters: for a login whose way in names
     * its backend (an access token in MQTT 5 enhanced authentication goes to {@code jwt}). Refused when the chain has
     * no such backend. Never completes exceptionally.
     */
    public CompletableFuture<Verdict> authenticateWith(String backend, Credentials credentials) {
        for (AuthBackend b : backends) {
            if (b.name().equals(backend)) {
                return decide(b, credentials);
            }
        }
        return CompletableFuture.completedFuture(Verdict.deny("no " + backend + " backend in auth.backends"));
    }

    /**
     * When every backend refused, the refusal is the most telling one: a loopback-only user (the password was right),
     * else a backend that could not answer, else bad credentials.
     */
    private CompletableFuture<Verdict> ask(int index, Credentials c, List<String> reasons, List<Refusal> kinds) {
        if (index == backends.size()) {
            Refusal kind = kinds.contains(Refusal.LOOPBACK_ONLY) ? Refusal.LOOPBACK_ONLY
                    : kinds.contains(Refusal.BACKEND_UNAVAILABLE) ? Refusal.BACKEND_UNAVAILABLE : Refusal.BAD_CREDENTIALS;
            return CompletableFuture.completedFuture(Verdict.deny(kind, String.join("; ", reasons)));
        }
        AuthBackend backend = backends.get(index);
        return decide(backend, c).thenCompose(v -> {
            if (v.allowed()) {
                return CompletableFuture.completedFuture(v);
            }
            reasons.add(backend.name() + ": " + v.reason());
            if (v.refusal() != null) {
                kinds.add(v.refusal());
            }
            return ask(index + 1, c, reasons, kinds);
        });
    }

    private CompletableFuture<Verdict> decide(AuthBackend backend, Credentials c) {
        String key = null;
        if (backend.cacheable() && ttlNanos > 0 && maxEntries > 0) {
            key = key(backend, c);
            Cached hit = cache.get(key);
            long now = nanoClock.getAsLong();
            if (hit != null && now - hit.untilNanos() < 0 && stillValid(hit.verdict())) {
                hits.increment();
                return CompletableFuture.completedFuture(hit.verdict());
            }
            if (hit != null) {
                cache.remove(key, hit);
            }
            misses.increment();
        }
        long start = nanoClock.getAsLong();
        String cacheKey = key;
        CompletableFuture<Verdict> answer;
        try {
            answer = backend.check(c);
        } catch (RuntimeException e) {
            answer = CompletableFuture.completedFuture(Verdict.error("backend failed: " + e));
        }
        return answer.exceptionally(e -> Verdict.error("backend failed: " + e)).thenApply(v -> {
            long end = nanoClock.getAsLong();
            timer(backend.name()).record(Duration.ofNanos(end - start));
            result(backend.name(), v.allowed() ? "allow" : v.failed() ? "error" : "deny").increment();
            if (cacheKey != null && !v.failed()) {
                remember(cacheKey, v, end);
            }
            return v;
        });
    }

    private static boolean stillValid(Verdict v) {
        return v.expiresAt().map(t -> Instant.now().isBefore(t)).orElse(true);
    }

    private void remember(String key, Verdict v, long now) {
        if (cache.size() >= maxEntries && !cache.containsKey(key)) {
            cache.values().removeIf(c -> now - c.untilNanos() >= 0);
            if (cache.size() >= maxEntries) {
                return;
            }
        }
        cache.put(key, new Cached(v, now + ttlNanos));
    }

    /** How many decisions are cached (for tests of the bound). */
    int cached() {
        return cache.size();
    }

    private static String key(AuthBackend backend, Credentials c) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // Lengths first, so that no two different credential sets can produce the same bytes.
            // The protocol and client id too: an MQTT verdict of the HTTP backend names the client's session queue.
            for (String part : new String[] {backend.name(), c.userName(), c.password(), String.join("\n", c.vhosts()),
                    c.fromLoopback() ? "local" : "remote", c.protocol(), c.clientId()}) {
                byte[] b = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
                sha.update(Integer.toString(part == null ? -1 : b.length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) ':');
                sha.update(b);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Timer timer(String backend) {
        return timers.computeIfAbsent(backend, b -> Timer.builder("junction.auth.backend.latency")
                .description("Time an auth backend took to answer a login (cache misses only)")
                .tag("backend", b).register(registry));
    }

    private Counter result(String backend, String result) {
        return results.computeIfAbsent(backend + "\n" + result, k -> Counter.builder("junction.auth.backend.results")
                .description("Login decisions per auth backend: allow, deny or error (no answer; refused)")
                .tag("backend", backend).tag("result", result).register(registry));
    }
}
