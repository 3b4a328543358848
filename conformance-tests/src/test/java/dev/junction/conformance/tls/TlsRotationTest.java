package dev.junction.conformance.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation without a restart (issue 12 item 3), with stock clients: replacing the certificate, key or CA
 * files makes new connections use them, while connections already open keep their TLS session and go on working, as
 * RabbitMQ documents for its certificate reload ("existing connections are not affected") and Mosquitto for SIGHUP.
 * A replacement that fails the start checks (a key that does not match) is refused and the old certificate serves.
 * The broker checks the files every 100 ms here; waits are bounded generously, never timed.
 */
class TlsRotationTest {
    private static final String CONFIG = """
            listeners:
              amqp: { enabled: false }
              mqtt: { enabled: false }
              mqtt_ws: { enabled: false }
              http: { enabled: false }
              amqps:
                bind: 127.0.0.1
                port: 0
                tls: { cert_file: certs/server.pem, key_file: certs/server.key, watch_interval_ms: 100 }
              mqtts:
                bind: 127.0.0.1
                port: 0
                tls:
                  cert_file: certs/server.pem
                  key_file: certs/server.key
                  ca_file: certs/ca.pem
                  client_auth: required
                  identity: common_name
                  watch_interval_ms: 100
            storage: { dir: data }
            limits: { auth_failure_max_delay_ms: 0 }
            users:
              - name: alice
                password: alice-password
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, topic: "%u/#" }
            """;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    final TlsBroker tls = TlsBroker.perMethod(CONFIG);

    @Test
    void newAmqpConnectionsGetTheRotatedCertificateWhileAnOpenConnectionKeepsWorking() throws Exception {
        X509Certificate before = servedCertificate(tls.pki().trustingContext());
        try (Connection old = amqps(tls.pki().trustingContext()).newConnection(); Channel ch = old.createChannel()) {
            String q = ch.queueDeclare().getQueue();
            TestPki next = TestPki.create("Rotated CA");
            TestPki.Issued rotated = next.issue("rotated.localhost", List.of("localhost"), true,
                    Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
            replace(rotated, rotated);

            // A client trusting only the new CA gets in once the new certificate serves new connections.
            await("a new connection trusting only the new CA", () -> {
                amqps(next.trustingContext()).newConnection().close();
                return true;
            });
            X509Certificate after = servedCertificate(next.trustingContext());
            assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
            assertThat(after.getSubjectX500Principal().getName()).contains("CN=rotated.localhost");

            // The connection opened before the rotation still round-trips a message over its old TLS session.
            assertThat(roundTrip(ch, q, "after rotation")).isEqualTo("after rotation");
        }
    }

    @Test
    void aReplacementWithAMismatchedKeyIsRefusedAndTheOldCertificateKeepsServing() throws Exception {
        X509Certificate before = servedCertificate(tls.pki().trustingContext());
        TestPki.Issued rotated = tls.pki().issue("rotated.localhost", List.of("localhost"), true,
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
        TestPki.Issued other = tls.pki().server();
        Logger serverTls = (Logger) LoggerFactory.getLogger("dev.junction.broker.ServerTls");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        serverTls.addAppender(log);
        try {
            replace(rotated, other); // the new certificate with somebody else's key
            // Both listeners read the same files; each refuses them with one WARN line naming key_file.
            await("the refusal of the mismatched key", () -> log.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("amqps:"))
                    .findFirst().orElse(null));
            assertThat(List.copyOf(log.list)).filteredOn(e -> e.getLevel() == Level.WARN)
                    .allMatch(e -> e.getFormattedMessage().contains("key_file"))
                    // Once per listener and file set seen (the key is moved before the certificate, so a check may
                    // see the half-replaced set too), not once per check: at most 2 listeners x 2 sets.
                    .hasSizeLessThanOrEqualTo(4);
            assertThat(servedCertificate(tls.pki().trustingContext()).getSerialNumber())
                    .isEqualTo(before.getSerialNumber());
            try (Connection c = amqps(tls.pki().trustingContext()).newConnection()) {
                assertThat(c.isOpen()).isTrue();
            }

            // The matching key arrives: the watcher is still checking and takes the set.
            replace(rotated, rotated);
            X509Certificate after = await("the corrected file set", () -> {
                X509Certificate served = servedCertificate(tls.pki().trustingContext());
                return served.getSerialNumber().equals(rotated.cert().getSerialNumber()) ? served : null;
            });
            assertThat(after.getSubjectX500Principal().getName()).contains("CN=rotated.localhost");
        } finally {
            serverTls.detachAppender(log);
        }
    }

    @Test
    void aRotatedCaFileDecidesWhichClientCertificatesNewMqttConnectionsMayPresent() throws Exception {
        Mqtt5BlockingClient old = mqtts(tls.pki().client("alice"));
        old.connect();
        try {
            TestPki newCa = TestPki.create("Next Client CA");
            assertThatThrownBy(() -> mqtts(newCa.client("alice")).connect()).isInstanceOf(RuntimeException.class);
            Path ca = tls.dir().resolve("certs/ca.pem");
            Path tmp = tls.dir().resolve("certs/ca.pem.tmp");
            newCa.writeCa(tmp);
            Files.move(tmp, ca, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            // The server verifies a client certificate against its trust anchors (RFC 8446 section 4.4.2.4): once
            // the new CA file is read, a certificate from the new CA logs in as its CN, one from the old CA fails.
            await("a client certificate from the new CA accepted", () -> {
                Mqtt5BlockingClient fresh = mqtts(newCa.client("alice"));
                fresh.connect();
                fresh.disconnect();
                return true;
            });
            assertThatThrownBy(() -> mqtts(tls.pki().client("alice")).connect()).isInstanceOf(RuntimeException.class);

            // The connection authenticated by the old CA stays up: a QoS 1 round trip on it.
            try (var publishes = old.publishes(MqttGlobalPublishFilter.ALL)) {
                old.subscribeWith().topicFilter("alice/inbox").qos(MqttQos.AT_LEAST_ONCE).send();
                old.publishWith().topic("alice/inbox").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("still here".getBytes(StandardCharsets.UTF_8)).send();
                var received = publishes.receive(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertThat(received).isPresent();
                assertThat(new String(received.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("still here");
            }
        } finally {
            old.disconnect();
        }
    }

    @Test
    void anExplicitReloadTakesNewFilesWhenThePeriodicCheckIsOff() throws Exception {
        // watch_interval_ms: 0 leaves the reload to SIGHUP, whose handler calls Broker.reloadTls().
        tls.restartWith(CONFIG.replace("watch_interval_ms: 100", "watch_interval_ms: 0"));
        TestPki.Issued rotated = tls.pki().issue("reloaded.localhost", List.of("localhost"), true,
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
        replace(rotated, rotated);
        tls.broker().reloadTls();
        X509Certificate after = await("the reloaded certificate", () -> {
            X509Certificate served = servedCertificate(tls.pki().trustingContext());
            return served.getSerialNumber().equals(rotated.cert().getSerialNumber()) ? served : null;
        });
        assertThat(after.getSubjectX500Principal().getName()).contains("CN=reloaded.localhost");
    }

    /** Writes the certificate and key files the way a careful operator does: each replaced atomically. */
    private void replace(TestPki.Issued cert, TestPki.Issued key) throws Exception {
        Path dir = tls.dir().resolve("certs");
        Files.writeString(dir.resolve("server.pem.tmp"), TestPki.pem("CERTIFICATE", cert.cert().getEncoded()));
        Files.writeString(dir.resolve("server.key.tmp"), TestPki.pem("PRIVATE KEY", key.key().getEncoded()));
        Files.move(dir.resolve("server.key.tmp"), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("server.pem.tmp"), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private ConnectionFactory amqps(SSLContext context) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("localhost");
        f.setPort(tls.port("amqps"));
        f.useSslProtocol(context);
        f.setUsername("alice");
        f.setPassword("alice-password");
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(10_000);
        return f;
    }

    private Mqtt5BlockingClient mqtts(TestPki.Issued clientCert) throws Exception {
        return MqttClient.builder().useMqttVersion5().identifier("rotate-" + UUID.randomUUID())
                .serverHost("localhost").serverPort(tls.port("mqtts"))
                .sslConfig().trustManagerFactory(tls.pki().trustManagers()).keyManagerFactory(clientCert.keyManagers())
                .applySslConfig().buildBlocking();
    }

    /** The certificate a new TLS connection to amqps is shown, read with the JDK's own TLS client. */
    private X509Certificate servedCertificate(SSLContext context) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", tls.port("amqps"))) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String roundTrip(Channel ch, String queue, String body) throws Exception {
        ch.basicPublish("", queue, null, body.getBytes(StandardCharsets.UTF_8));
        GetResponse r = await("the message back from " + queue, () -> ch.basicGet(queue, true));
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    /** Retries {@code attempt} until it returns non-null without throwing; fails after {@link #PATIENCE}. */
    private static <T> T await(String what, Callable<T> attempt) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T result = attempt.call();
                if (result != null) {
                    return result;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gave up waiting for " + what, last);
    }
}
