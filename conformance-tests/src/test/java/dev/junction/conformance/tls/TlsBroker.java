package dev.junction.conformance.tls;

import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A broker whose only listeners are TLS ones, configured from a file in a temp directory with its certificates in
 * {@code certs/} next to it (relative paths, as an operator would write them). The PKI is made fresh per broker.
 * A {@link ConformanceBroker}: register it with {@code @RegisterExtension}. Public, with its PKI, for the TLS tests
 * of other packages (AMQP 1.0's own listener).
 */
public final class TlsBroker extends ConformanceBroker {
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

    private final String provider;
    private String configText;
    private TestPki pki;
    private TestPki rogue;
    private Path dir;

    private TlsBroker(Lifecycle lifecycle, String configText, String provider) {
        super(lifecycle, BrokerConfig.standard());
        this.configText = configText;
        this.provider = provider;
    }

    /** One broker from {@link #CONFIG} for the test class, with the TLS provider the broker picks. */
    public static TlsBroker perClass() {
        return new TlsBroker(Lifecycle.PER_CLASS, CONFIG, null);
    }

    /**
     * One broker from {@link #CONFIG} for the test class, with the TLS provider {@code provider} ("jdk"): the value
     * of the junction.tls.provider system property while it starts.
     */
    public static TlsBroker perClass(String provider) {
        return new TlsBroker(Lifecycle.PER_CLASS, CONFIG, provider);
    }

    /** A broker from {@code configText} for each test. */
    public static TlsBroker perMethod(String configText) {
        return new TlsBroker(Lifecycle.PER_METHOD, configText, null);
    }

    /** Stops this broker and starts a new one, with a fresh PKI, from {@code newConfigText}. */
    void restartWith(String newConfigText) throws Exception {
        configText = newConfigText;
        restart();
    }

    /**
     * Writes the PKI and the config file into a new temp directory and starts the broker from the file (paths in
     * it are relative to its directory, not to the working directory of the test).
     */
    @Override
    protected BrokerFixture launch(BrokerConfig ignored) throws Exception {
        dir = Files.createTempDirectory("junction-tls");
        pki = TestPki.create("Junction Test CA");
        pki.writeCa(dir.resolve("certs/ca.pem"));
        pki.server().writePem(dir.resolve("certs/server.pem"), dir.resolve("certs/server.key"));
        rogue = TestPki.create("Rogue CA");
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, configText);
        if (provider == null) {
            return BrokerFixture.startFile(config);
        }
        System.setProperty("junction.tls.provider", provider);
        try {
            return BrokerFixture.startFile(config);
        } finally {
            System.clearProperty("junction.tls.provider");
        }
    }

    /** The CA the broker's certificates come from and that it trusts for client certificates. */
    public TestPki pki() {
        return pki;
    }

    /** A CA the broker does not trust. */
    public TestPki rogue() {
        return rogue;
    }

    /** The directory holding the config file and {@code certs/}. */
    Path dir() {
        return dir;
    }

    /** Stops the broker and deletes its directory. */
    @Override
    public void stop() {
        super.stop();
        if (dir != null) {
            BrokerFixture.deleteTree(dir);
            dir = null;
        }
    }
}
