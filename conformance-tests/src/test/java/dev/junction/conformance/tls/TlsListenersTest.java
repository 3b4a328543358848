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
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import com.rabbitmq.client.GetResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * TLS listeners driven by stock clients: amqp-client with an SSLContext, the HiveMQ client over mqtts and Paho over
 * wss. Rules: a listener with a CA verifies every presented client certificate, whatever client_auth says (an
 * untrusted or expired one ends the handshake); with {@code identity} set, a verified certificate's CN or SAN is the
 * user name (RabbitMQ's EXTERNAL mechanism from rabbitmq_auth_mechanism_ssl, Mosquitto's use_identity_as_username).
 * Subclasses pick the TLS provider.
 */
abstract class TlsListenersTest {
    /** The subclass's broker, registered there as a per-class extension with the provider it tests. */
    abstract TlsBroker tls();

    private ConnectionFactory amqps(SSLContext context) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("localhost");
        f.setPort(tls().port("amqps"));
        f.useSslProtocol(context);
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(10_000);
        return f;
    }

    private Mqtt5BlockingClient hivemq(TestPki.Issued clientCert) throws Exception {
        var ssl = MqttClient.builder().useMqttVersion5().identifier("tls-" + UUID.randomUUID())
                .serverHost("localhost").serverPort(tls().port("mqtts"))
                .sslConfig().trustManagerFactory(tls().pki().trustManagers());
        if (clientCert != null) {
            ssl = ssl.keyManagerFactory(clientCert.keyManagers());
        }
        return ssl.applySslConfig().buildBlocking();
    }

    @Test
    void amqpOverServerOnlyTlsWithAPasswordRoundTripsAMessage() throws Exception {
        ConnectionFactory f = amqps(tls().pki().trustingContext());
        f.setUsername("alice");
        f.setPassword("alice-password");
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("", q, null, "over tls".getBytes(StandardCharsets.UTF_8));
            GetResponse r = null;
            for (int i = 0; i < 100 && r == null; i++) {
                r = ch.basicGet(q, true);
                if (r == null) {
                    Thread.sleep(20);
                }
            }
            assertThat(r).isNotNull();
            assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("over tls");
        }
    }

    @Test
    void amqpExternalLogsInAsTheCertificatesCommonName() throws Exception {
        // Only alice may open vhost "certs", so opening it proves the certificate's CN became the user.
        ConnectionFactory f = amqps(tls().pki().client("alice").clientContext(tls().pki()));
        f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        f.setVirtualHost("certs");
        try (Connection c = f.newConnection()) {
            assertThat(c.isOpen()).isTrue();
            assertThat(c.getServerProperties().get("product").toString()).isEqualTo("Junction");
        }
    }

    @Test
    void amqpExternalIsNotOfferedWithoutAClientCertificate() throws Exception {
        ConnectionFactory f = amqps(tls().pki().trustingContext());
        f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        // The server's mechanisms are PLAIN AMQPLAIN only, so the client finds nothing it can use.
        assertThatThrownBy(f::newConnection).hasStackTraceContaining("No compatible authentication mechanism");
    }

    @Test
    void amqpClientCertificateFromAnUntrustedCaIsRefused() throws Exception {
        ConnectionFactory f = amqps(tls().rogue().client("alice").clientContext(tls().pki()));
        f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThatThrownBy(f::newConnection).isInstanceOf(Exception.class);
    }

    @Test
    void mqttConnectWithoutPasswordTakesTheUserFromTheCertificate() throws Exception {
        Mqtt5BlockingClient client = hivemq(tls().pki().client("alice"));
        client.connect();
        try {
            // The ACL allows only %u/#: granted for alice/..., refused elsewhere, so the user is alice.
            assertThat(client.subscribeWith().topicFilter("alice/inbox").qos(MqttQos.AT_LEAST_ONCE).send()
                    .getReasonCodes()).hasSize(1).allMatch(code -> !code.isError());
            assertThatThrownBy(() -> client.subscribeWith().topicFilter("bob/inbox").send())
                    .isInstanceOf(Mqtt5SubAckException.class);
            try (var publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
                client.publishWith().topic("alice/inbox").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("hello".getBytes(StandardCharsets.UTF_8)).send();
                var received = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(received).isPresent();
                assertThat(new String(received.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
        } finally {
            client.disconnect();
        }
    }

    @Test
    void mqttUserNameWithoutPasswordMustBeTheCertificatesName() throws Exception {
        Mqtt5BlockingClient same = hivemq(tls().pki().client("alice"));
        same.connectWith().simpleAuth().username("alice").applySimpleAuth().send();
        same.disconnect();
        Mqtt5BlockingClient client = hivemq(tls().pki().client("alice"));
        assertThatThrownBy(() -> client.connectWith().simpleAuth().username("device-7.fleet.example")
                .applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    }

    @Test
    void mqttsRequiresAClientCertificate() throws Exception {
        Mqtt5BlockingClient client = hivemq(null);
        assertThatThrownBy(() -> client.connectWith().simpleAuth().username("alice")
                .password("alice-password".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void mqttClientCertificateFromAnUntrustedCaIsRefused() throws Exception {
        Mqtt5BlockingClient client = hivemq(tls().rogue().client("alice"));
        assertThatThrownBy(client::connect).isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void mqttExpiredClientCertificateIsRefused() throws Exception {
        Mqtt5BlockingClient client = hivemq(tls().pki().expiredClient("alice"));
        assertThatThrownBy(client::connect).isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void pahoOverWssTakesTheUserFromTheSubjectAlternativeName() throws Exception {
        String user = "device-7.fleet.example";
        TestPki.Issued device = tls().pki().client("not-the-user-name", user);
        var client = new org.eclipse.paho.client.mqttv3.MqttClient("wss://localhost:" + tls().port("mqtt_wss")
                + "/mqtt", "paho-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(device.clientContext(tls().pki()).getSocketFactory());
        options.setConnectionTimeout(10);
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        try {
            client.connect(options); // no user name, no password: the certificate's SAN is the user
            client.subscribe(user + "/status", 1, (topic, message) ->
                    received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
            client.publish(user + "/status", "online".getBytes(StandardCharsets.UTF_8), 1, false);
            // The ACL allows only %u/#, so the message comes back only if the user is the SAN.
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("online");
            client.disconnect();
        } finally {
            client.close();
        }
    }

    @Test
    void httpsServesHealth() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls().pki().trustingContext()).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + tls().port("http") + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("ok");
    }

    @Test
    void plainTcpOnTlsPortsIsClosedWithoutWarningsOrErrors() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger tlsLog = (Logger) LoggerFactory.getLogger("dev.junction.broker.TlsPeerHandler");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        tlsLog.setLevel(Level.INFO);
        Thread.sleep(1100); // let the once-a-second TLS failure line be free again, so this test's line is logged
        try {
            // An AMQP protocol header and an MQTT CONNECT, each sent in clear to a TLS port.
            byte[] amqpHeader = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
            byte[] mqttConnect = {0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 4, 'p', 'l', 'a', 'i', 'n', '!'};
            assertThat(answerUntilClosed(tls().port("amqps"), amqpHeader)).doesNotContain("AMQP");
            assertThat(answerUntilClosed(tls().port("mqtts"), mqttConnect)).doesNotStartWith(" ");
            assertThat(answerUntilClosed(tls().port("mqtt_wss"), "GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII))).doesNotContain("HTTP/1.1");
        } finally {
            root.detachAppender(log);
            tlsLog.setLevel(null);
        }
        List<ILoggingEvent> events = List.copyOf(log.list);
        assertThat(events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
                .as("warnings or errors logged for plain TCP on TLS ports").isEmpty();
        // One line for the first refused handshake; the next ones fall within the same second and are counted.
        assertThat(events.stream().filter(e -> e.getFormattedMessage().contains("TLS handshake with")))
                .hasSize(1).allMatch(e -> e.getLevel() == Level.INFO);
    }

    /** Sends {@code bytes} and reads whatever comes back until the broker closes the connection. */
    private static String answerUntilClosed(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000); // only a guard against a broker that never closes; the close comes at once
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            try {
                for (int b = in.read(); b >= 0; b = in.read()) {
                    answer.append((char) b);
                }
            } catch (SocketException reset) {
                // closed with a reset: closed all the same
            }
            return answer.toString();
        }
    }
}
