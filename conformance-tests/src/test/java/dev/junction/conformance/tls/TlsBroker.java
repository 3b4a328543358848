package dev.junction.conformance.tls;

import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A broker whose only listeners are TLS ones, configured from a file in a temp directory with its certificates in
 * {@code certs/} next to it (relative paths, as an operator would write them). The PKI is made fresh per broker.
 */
final class TlsBroker implements AutoCloseable {
    static final String CONFIG = """
            listeners:
              amqp: { enabled: false }
              mqtt: { enabled: false }
              mqtt_ws: { enabled: false }
              http:
                bind: 127.0.0.1
                port: 0
                tls: { cert_file: certs/server.pem, key_file: certs/server.key }
              amqps:
                bind: 127.0.0.1
                port: 0
                tls:
                  cert_file: certs/server.pem
                  key_file: certs/server.key
                  ca_file: certs/ca.pem
                  client_auth: optional
                  identity: common_name
              mqtts:
                bind: 127.0.0.1
                port: 0
                tls:
                  cert_file: certs/server.pem
                  key_file: certs/server.key
                  ca_file: certs/ca.pem
                  client_auth: required
                  identity: common_name
              mqtt_wss:
                bind: 127.0.0.1
                port: 0
                tls:
                  cert_file: certs/server.pem
                  key_file: certs/server.key
                  ca_file: certs/ca.pem
                  client_auth: optional
                  identity: subject_alternative_name
            storage: { dir: data }
            limits: { auth_failure_max_delay_ms: 0 }   # refusals are tested; throttling would slow the next logins
            vhosts: ["/", "certs"]
            users:
              - name: alice
                password: alice-password
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                  "certs": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, topic: "%u/#" }
              - name: device-7.fleet.example
                password: not-used-by-the-device
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, topic: "%u/#" }
            """;

    final TestPki pki;
    final TestPki rogue;
    final Path dir;
    final Broker broker;

    private TlsBroker(TestPki pki, TestPki rogue, Path dir, Broker broker) {
        this.pki = pki;
        this.rogue = rogue;
        this.dir = dir;
        this.broker = broker;
    }

    static TlsBroker start() throws Exception {
        return start(CONFIG);
    }

    /** A broker from {@code configText}, which finds certs/server.pem, certs/server.key and certs/ca.pem. */
    static TlsBroker start(String configText) throws Exception {
        Path dir = Files.createTempDirectory("junction-tls");
        TestPki pki = TestPki.create("Junction Test CA");
        pki.writeCa(dir.resolve("certs/ca.pem"));
        pki.server().writePem(dir.resolve("certs/server.pem"), dir.resolve("certs/server.key"));
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, configText);
        // Paths in the file are relative to its directory, not to the working directory of the test.
        return new TlsBroker(pki, TestPki.create("Rogue CA"), dir, Broker.start(ConfigLoader.load(config)));
    }

    int port(String listener) {
        return broker.address(listener).getPort();
    }

    @Override
    public void close() throws Exception {
        broker.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
