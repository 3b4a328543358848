package dev.junction.routing.auth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.junction.config.AuthConfig;
import dev.junction.config.VhostPermission;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** resource_path answers: kept per user and question for the TTL, bounded, failures never kept, MQTT's five. */
class HttpResourcesTest {
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong();
    private HttpServer server;
    private HttpBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // allow what is named ok.*, deny the rest; a name "fail" gets status 500
        server.createContext("/resource", ex -> {
            asked.incrementAndGet();
            String q = ex.getRequestURI().getRawQuery();
            int status = q.contains("name=fail") ? 500 : 200;
            byte[] b = (q.contains("name=ok") ? "allow" : "deny").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        backend = new HttpBackend(new AuthConfig.Http(base.resolve("/user"), Optional.empty(),
                Optional.of(base.resolve("/resource")), Optional.empty(), AuthConfig.HttpMethod.GET,
                // The request timeout is generous: a request that times out is a refusal, and a full build on two
                // busy cores has made a local answer take seconds.
                Duration.ofSeconds(30), Optional.empty()), List.of());
    }

    @AfterEach
    void stop() {
        backend.close();
        server.stop(0);
    }

    private HttpResources resources(int maxEntries) {
        return new HttpResources(backend, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/resource"),
                Duration.ofSeconds(10), maxEntries, clock::get);
    }

    private static ResourceQuestion queue(String name) {
        return new ResourceQuestion("/", ResourceQuestion.Resource.QUEUE, name, ResourceQuestion.Permission.CONFIGURE);
    }

    @Test
    void anAnswerIsKeptForTheTtlPerUser() {
        HttpResources r = resources(100);
        ResourceQuestions alice = r.of("alice");
        assertThat(alice.known(queue("ok.q"))).isEmpty();
        assertThat(alice.ask(queue("ok.q")).join()).isTrue();
        assertThat(alice.known(queue("ok.q"))).hasValue(true);
        assertThat(r.of("bob").known(queue("ok.q"))).as("another user's answer").isEmpty();
        assertThat(alice.ask(queue("other.q")).join()).isFalse();
        assertThat(alice.known(queue("other.q"))).hasValue(false);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(alice.known(queue("ok.q"))).as("lapsed").isEmpty();
    }

    @Test
    void anAnswerAboutAServerNamedQueueIsNotKept() {
        HttpResources r = resources(100);
        ResourceQuestion generated = new ResourceQuestion("/", ResourceQuestion.Resource.QUEUE, "amq.gen-x",
                ResourceQuestion.Permission.CONFIGURE);
        assertThat(r.of("alice").ask(generated).join()).as("the service's deny").isFalse();
        assertThat(r.of("alice").known(generated)).as("a random name is never asked about again").isEmpty();
    }

    @Test
    void aFailureRefusesAndIsNotKept() {
        HttpResources r = resources(100);
        assertThat(r.of("alice").ask(queue("fail")).join()).isFalse();
        assertThat(r.of("alice").known(queue("fail"))).isEmpty();
    }

    @Test
    void theNumberOfAnswersKeptIsBounded() {
        HttpResources r = resources(2);
        r.of("a").ask(queue("ok.1")).join();
        r.of("a").ask(queue("ok.2")).join();
        r.of("a").ask(queue("ok.3")).join();
        assertThat(r.of("a").known(queue("ok.3"))).as("full, nothing lapsed: not kept").isEmpty();
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        r.of("a").ask(queue("ok.4")).join();
        assertThat(r.of("a").known(queue("ok.4"))).as("lapsed ones made room").hasValue(true);
    }

    @Test
    void mqttConnectAsksItsFiveResourcesAndNamesExactlyWhatIsAllowed() {
        HttpResources r = resources(100);
        VhostPermission p = r.mqtt("d1", "/", "ok.x", "ok.session.", "c1").join();
        assertThat(asked.get()).isEqualTo(5);
        assertThat(p.canWrite("ok.x")).isTrue();
        assertThat(p.canRead("ok.x")).isTrue();
        assertThat(p.canConfigure("ok.session.c1")).isTrue();
        assertThat(p.canConfigure("ok.session.c2")).isFalse();
        assertThat(p.canWrite("ok.xy")).isFalse();
        assertThat(r.mqtt("d1", "/", "fail", "ok.session.", "c1").join()).as("unanswered: fail closed").isNull();
    }
}
