package dev.junction.conformance.management;

import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A broker for management API tests, as a {@link ConformanceBroker} for the test class or started by a test for
 * itself: ephemeral ports, its own store directory (deleted on close; {@link #stop} keeps it for a restart), and
 * one user per RabbitMQ management tag: admin (administrator), monitor (monitoring), manager (management,
 * permissions only in "restricted"), plain (no tag). Every password is "pw".
 */
final class ManagementBroker extends ConformanceBroker implements AutoCloseable {
    static final String CONFIG = """
            listeners:
              amqp: { bind: 127.0.0.1, port: 0 }
              mqtt: { bind: 127.0.0.1, port: 0 }
              mqtt_ws: { enabled: false }
              http: { bind: 127.0.0.1, port: 0 }
            storage: { dir: %s }
            vhosts: ["/", "restricted"]
            users:
              - name: admin
                password: pw
                tags: [administrator]
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                  "restricted": { configure: ".*", write: ".*", read: ".*" }
              - name: monitor
                password: pw
                tags: [monitoring]
              - name: manager
                password: pw
                tags: [management]
                permissions:
                  "restricted": { configure: "^own\\\\.", write: "^own\\\\.", read: "^own\\\\." }
              - name: plain
                password: pw
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
            limits:
              auth_failure_max_delay_ms: 0
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;

    private ManagementBroker(Lifecycle lifecycle, Path dir) {
        super(lifecycle, BrokerConfig.standard());
        this.dir = dir;
    }

    /** One broker for the test class; register it in a static field with {@code @RegisterExtension}. */
    public static ManagementBroker perClass() {
        return new ManagementBroker(Lifecycle.PER_CLASS, null);
    }

    /** A broker of the test's own, started now, in a new directory that {@link #close} deletes. */
    static ManagementBroker start() throws Exception {
        return startIn(Files.createTempDirectory("junction-mgmt"));
    }

    /** A broker of the test's own, started now in {@code dir}; starting again on the same directory is a restart. */
    static ManagementBroker startIn(Path dir) throws Exception {
        ManagementBroker b = new ManagementBroker(Lifecycle.BY_TEST, dir);
        b.start(BrokerConfig.standard());
        return b;
    }

    /** Starts the broker on {@link #CONFIG}: the management users replace the base configuration's. */
    @Override
    protected BrokerFixture launch(BrokerConfig ignored) throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory("junction-mgmt");
        }
        return BrokerFixture.startYaml(CONFIG.formatted(dir.resolve("data")));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    int httpPort() {
        return port("http");
    }

    /** An AMQP 0-9-1 connection as the broker's administrator (user {@code admin}, password {@code pw}). */
    com.rabbitmq.client.Connection adminAmqp() throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setPort(amqpPort());
        f.setUsername("admin");
        f.setPassword("pw");
        return f.newConnection();
    }

    Path dir() {
        return dir;
    }

    HttpResponse<String> call(String method, String path, String user, String password, String body)
            throws IOException, InterruptedException {
        return call(method, path, user, password, body, null);
    }

    /** As above, with RabbitMQ's {@code X-Reason} header (a connection's close reason) unless it is null. */
    HttpResponse<String> call(String method, String path, String user, String password, String body, String reason)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (reason != null) {
            b.header("X-Reason", reason);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String user) throws IOException, InterruptedException {
        return call("GET", path, user, "pw", null);
    }

    /**
     * Polls {@code GET path} as {@code user} until {@code ok} holds of its JSON (sampled values such as message rates
     * show within seconds, so this waits with a generous limit, never timing anything); returns the last answer.
     */
    com.fasterxml.jackson.databind.JsonNode poll(String path, String user,
                                                 java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> ok)
            throws IOException, InterruptedException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        var last = json.readTree(get(path, user).body());
        while (!ok.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 60 s for " + path + "; last answer " + last);
            }
            Thread.sleep(200);
            last = json.readTree(get(path, user).body());
        }
        return last;
    }

    /**
     * A GET written as raw bytes on a socket, for request lines java.net.http refuses to send (bad escapes);
     * returns the whole response as text.
     */
    String rawGet(String rawTarget, String user) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", httpPort())) {
            String auth = Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(("GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                    + auth + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Stops the broker and deletes its directory ({@link #stop} keeps it, for a restart). */
    @Override
    public void close() {
        stop();
        if (dir != null) {
            BrokerFixture.deleteTree(dir);
        }
    }
}
