package dev.junction.routing.auth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.UserConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The auth.backends chain: order, fail-closed refusals, the decision cache and its bound. */
class AuthChainTest {
    private static final UserConfig USER = new UserConfig("u", Optional.empty(), Optional.empty(), List.of(), false,
            Map.of(), List.of());

    /** A backend answering with {@code answer} and counting how often it was asked. */
    private static final class Scripted implements AuthBackend {
        final String name;
        final Function<Credentials, Verdict> answer;
        final List<Credentials> asked = new ArrayList<>();

        Scripted(String name, Function<Credentials, Verdict> answer) {
            this.name = name;
            this.answer = answer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletableFuture<Verdict> check(Credentials c) {
            asked.add(c);
            return CompletableFuture.completedFuture(answer.apply(c));
        }
    }

    private static Credentials creds(String user, String password) {
        return new Credentials("amqp", user, password, null, List.of("/"));
    }

    private final AtomicLong clock = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private AuthChain chain(int maxEntries, AuthBackend... backends) {
        return new AuthChain(List.of(backends), Duration.ofSeconds(60), maxEntries, registry, clock::get);
    }

    @Test
    void theFirstAcceptanceWinsAndLaterBackendsAreNotAsked() {
        Scripted deny = new Scripted("a", c -> Verdict.deny("no"));
        Scripted allow = new Scripted("b", c -> Verdict.allow(USER));
        Scripted never = new Scripted("c", c -> Verdict.allow(USER));
        Verdict v = chain(10, deny, allow, never).authenticate(creds("u", "p")).join();
        assertThat(v.allowed()).isTrue();
        assertThat(never.asked).isEmpty();
        assertThat(registry.find("junction.auth.backend.results").tag("backend", "a").tag("result", "deny")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void allRefusingRefusesAndAThrowingBackendFailsClosed() {
        Scripted deny = new Scripted("a", c -> Verdict.deny("unknown user"));
        Scripted broken = new Scripted("b", c -> {
            throw new IllegalStateException("boom");
        });
        Verdict v = chain(10, deny, broken).authenticate(creds("u", "p")).join();
        assertThat(v.allowed()).isFalse();
        assertThat(v.reason()).contains("a: unknown user").contains("b: backend failed");
    }

    @Test
    void acceptancesAreCachedUntilTheTtlAndOnlyForTheSameCredentials() {
        Scripted http = new Scripted("http", c -> c.password().equals("p") ? Verdict.allow(USER) : Verdict.deny("no"));
        AuthChain chain = chain(10, http);
        chain.authenticate(creds("u", "p")).join();
        chain.authenticate(creds("u", "p")).join();
        assertThat(http.asked).hasSize(1);
        assertThat(chain.authenticate(creds("u", "other")).join().allowed()).isFalse();
        assertThat(http.asked).hasSize(2);
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        chain.authenticate(creds("u", "p")).join();
        assertThat(http.asked).hasSize(3);
    }

    @Test
    void failuresAreNotCached() {
        Scripted down = new Scripted("http", c -> Verdict.error("unreachable"));
        AuthChain chain = chain(10, down);
        chain.authenticate(creds("u", "p")).join();
        chain.authenticate(creds("u", "p")).join();
        assertThat(down.asked).hasSize(2);
        assertThat(chain.cached()).isZero();
    }

    @Test
    void aTokenAcceptanceIsNotReusedPastItsExpiry() {
        Scripted jwt = new Scripted("jwt", c -> Verdict.allowUntil(USER, Instant.now().minusSeconds(1)));
        AuthChain chain = chain(10, jwt);
        chain.authenticate(creds("u", "t")).join();
        chain.authenticate(creds("u", "t")).join();
        assertThat(jwt.asked).hasSize(2);
    }

    @Test
    void theCacheIsBoundedAndNewDecisionsGoUncachedWhenFull() {
        Scripted http = new Scripted("http", c -> Verdict.allow(USER));
        AuthChain chain = chain(3, http);
        for (int i = 0; i < 10; i++) {
            chain.authenticate(creds("u" + i, "p")).join();
        }
        assertThat(chain.cached()).isEqualTo(3);
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        chain.authenticate(creds("late", "p")).join(); // lapsed entries make room
        assertThat(chain.cached()).isEqualTo(1);
    }

    @Test
    void inMemoryBackendsAreNotCached() {
        AuthChain chain = chain(10, new InternalBackend(List.of(new UserConfig("u", Optional.of("p"), Optional.empty(),
                List.of(), false, Map.of(), List.of()))));
        assertThat(chain.authenticate(creds("u", "p")).join().allowed()).isTrue();
        assertThat(chain.cached()).isZero();
    }

    /** The refusal the log words come from: a loopback-only user over a failure, a failure over bad credentials. */
    @Test
    void everyRefusalNamesTheMostTellingKind() {
        Scripted bad = new Scripted("a", c -> Verdict.deny("no"));
        Scripted down = new Scripted("b", c -> Verdict.error("no answer"));
        Scripted loopback = new Scripted("c", c -> Verdict.deny(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY,
                "local only"));
        assertThat(chain(0, bad).authenticate(creds("u", "p")).join().refusal())
                .isEqualTo(dev.junction.routing.auth.Refusal.BAD_CREDENTIALS);
        assertThat(chain(0, bad, down).authenticate(creds("u", "p")).join().refusal())
                .isEqualTo(dev.junction.routing.auth.Refusal.BACKEND_UNAVAILABLE);
        assertThat(chain(0, down, loopback, bad).authenticate(creds("u", "p")).join().refusal())
                .isEqualTo(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY);
    }

    /** An MQTT verdict of the HTTP backend names the client's session queue: it is never reused for another id. */
    @Test
    void theCacheKeepsProtocolsAndClientIdsApart() {
        Scripted http = new Scripted("http", c -> Verdict.allow(USER));
        AuthChain chain = chain(100, http);
        chain.authenticate(new Credentials("mqtt", "u", "p", null, List.of("/"), "c1")).join();
        chain.authenticate(new Credentials("mqtt", "u", "p", null, List.of("/"), "c2")).join();
        chain.authenticate(new Credentials("amqp", "u", "p", null, List.of("/"))).join();
        chain.authenticate(new Credentials("mqtt", "u", "p", null, List.of("/"), "c1")).join();
        assertThat(http.asked).hasSize(3);
    }
}
