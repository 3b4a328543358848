package dev.junction.routing.auth.backend;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.junction.routing.guard.LogLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verification keys of an identity provider, fetched from its JWKS URL (RFC 7517 section 5) over HTTP or HTTPS.
 *
 * <p>Rules:
 * <ul>
 *   <li>Fetched at start and again every {@code refresh}; a fetch that fails keeps the keys of the last good one
 *       and is logged at WARN (at most once per {@value #LOG_INTERVAL_SECONDS} s). Before any good fetch there are
 *       no keys and every token is refused (fail closed).</li>
 *   <li>A token whose {@code kid} is not among the keys makes one fetch at once ({@link #refreshFor}), so a key the
 *       provider has just rotated in works on its first use; such fetches happen at most once per
 *       {@value #UNKNOWN_KEY_INTERVAL_SECONDS} s, so tokens with made-up key ids cannot make the broker hammer the
 *       provider. A fetch under way is shared.</li>
 *   <li>Nothing blocks a caller: fetches run on the JDK HTTP client's thread and a timer thread of their own.</li>
 * </ul>
 */
final class RemoteJwks implements JWKSource<SecurityContext>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    static final int LOG_INTERVAL_SECONDS = 30;
    static final int UNKNOWN_KEY_INTERVAL_SECONDS = 10;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final ScheduledExecutorService timer;
    private final HttpClient client;
    private final LongSupplier nanoClock = System::nanoTime;
    private final LogLimiter failures = new LogLimiter(LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
    private volatile JWKSet keys = new JWKSet();
    /** The fetch under way, or null. Guarded by {@code this}. */
    private CompletableFuture<Void> fetching;
    /** When a token's unknown key id last caused a fetch; guarded by {@code this}. */
    private long lastUnknownKeyFetch;
    private boolean unknownKeyFetched;

    RemoteJwks(URI url, Duration refresh) {
        this.url = url;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-auth-jwks");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().executor(timer).connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        timer.scheduleWithFixedDelay(this::fetch, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        return selector.select(keys);
    }

    /** Whether a key with id {@code kid} is known now. */
    boolean has(String kid) {
        return keys.getKeyByKeyId(kid) != null;
    }

    /**
     * Completes when the keys may know {@code kid}: at once when they do, or when no fetch for an unknown key is
     * allowed yet; otherwise after one fetch. Never completes exceptionally.
     */
    CompletableFuture<Void> refreshFor(String kid) {
        if (kid != null && has(kid)) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (this) {
            if (fetching != null) {
                return fetching;
            }
            long now = nanoClock.getAsLong();
            if (unknownKeyFetched && now - lastUnknownKeyFetch < TimeUnit.SECONDS.toNanos(UNKNOWN_KEY_INTERVAL_SECONDS)) {
                return CompletableFuture.completedFuture(null);
            }
            unknownKeyFetched = true;
            lastUnknownKeyFetch = now;
        }
        return fetch();
    }

    /** Fetches the JWKS once (or joins the fetch under way). */
    private CompletableFuture<Void> fetch() {
        CompletableFuture<Void> done;
        synchronized (this) {
            if (fetching != null) {
                return fetching;
            }
            done = new CompletableFuture<>();
            fetching = done;
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).header("Accept", "application/json")
                .GET().build();
        CompletableFuture<HttpResponse<String>> answer;
        try {
            answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> {
            try {
                if (error != null) {
                    failed("no answer: " + describe(error));
                } else if (response.statusCode() != 200) {
                    failed("HTTP status " + response.statusCode());
                } else {
                    take(response.body());
                }
            } finally {
                synchronized (this) {
                    fetching = null;
                }
                done.complete(null);
            }
        });
        return done;
    }

    private void take(String body) {
        JWKSet set;
        try {
            set = JWKSet.parse(body).toPublicJWKSet();
        } catch (ParseException e) {
            failed("not a JWKS document: " + e.getMessage());
            return;
        }
        if (set.getKeys().isEmpty()) {
            failed("the JWKS holds no public key");
            return;
        }
        if (!set.toString().equals(keys.toString())) {
            LOG.info("JWT keys from {}: {}", url, set.getKeys().stream().map(k -> String.valueOf(k.getKeyID())).toList());
        }
        keys = set;
    }

    private void failed(String what) {
        failures.log(LOG::warn, "jwks", "the JWKS at {} could not be fetched: {}; tokens signed with keys not "
                + "fetched before are refused", url, what);
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
