package dev.junction.conformance.management;

import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A broker for management API tests: ephemeral ports, its own store directory (deleted on close unless kept for
 * a restart), and one user per RabbitMQ management tag: admin (administrator), monitor (monitoring), manager
 * (management, permissions only in "restricted"), plain (no tag). Every password is "pw".
 */
final class ManagementBroker implements AutoCloseable {
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

    private final Broker broker;
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private ManagementBroker(Broker broker, Path dir) {
        this.broker = broker;
        this.dir = dir;
    }

    static ManagementBroker start() throws Exception {
        return startIn(Files.createTempDirectory("junction-mgmt"));
    }

    /** Starting again on the same directory is a restart. */
    static ManagementBroker startIn(Path dir) throws Exception {
        String yaml = CONFIG.formatted(dir.resolve("data"));
        return new ManagementBroker(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), dir);
    }

    int httpPort() {
        return broker.address("http").getPort();
    }

    int port(String listener) {
        return broker.address(listener).getPort();
    }

    int amqpPort() {
        return broker.address("amqp").getPort();
    }

    Path dir() {
        return dir;
    }

    HttpResponse<String> call(String method, String path, String user, String password, String body)
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
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String user) throws IOException, InterruptedException {
        return call("GET", path, user, "pw", null);
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

    /** Stops the broker and keeps its directory (for a restart). */
    void stop() {
        broker.close();
    }

    @Override
    public void close() throws IOException {
        broker.close();
        deleteTree(dir);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
