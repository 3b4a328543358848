package dev.junction.conformance.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.RunningBroker;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection slots against sockets that never send a byte: a cap on connections still in their handshake (the
 * oldest is closed to make room), a cap per source address, and a handshake timeout (RabbitMQ's
 * {@code handshake_timeout}, 10 s by default). Also the HTTP listener: counted in max_connections and closed when
 * idle. Silent sockets are raw sockets; the real client is the stock amqp-client.
 */
class ConnectionAdmissionTest {
    /** How long a socket read may wait before the test calls the socket "not closed": a failure bound, not a timing. */
    private static final int READ_BOUND_MS = 8000;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @AfterEach
    void closeClients() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        for (AutoCloseable c : others) {
            c.close();
        }
    }

    private RunningBroker start(String limits) throws Exception {
        return broker.start(BrokerConfig.standard().withLimits(limits));
    }

    private Socket silent(String listener, String fromAddress) throws IOException {
        Socket s = new Socket();
        if (fromAddress != null) {
            s.bind(new InetSocketAddress(fromAddress, 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", broker.port(listener)), 5000);
        s.setSoTimeout(READ_BOUND_MS);
        sockets.add(s);
        return s;
    }

    /** True when the broker closed the socket (end of stream or reset) before the read bound ran out. */
    private static boolean closedByBroker(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private double gauge(String name) {
        Gauge g = broker.broker().registry().find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private Connection amqpClient() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername("guest");
        f.setPassword("guest");
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(5000);
        f.setHandshakeTimeout(5000);
        Connection c = f.newConnection();
        others.add(c);
        return c;
    }

    /**
     * 25 silent sockets against max_connections 25: before this limit they took every slot and the real client was
     * refused. With max_handshaking_connections 20 the oldest silent ones are closed as new ones arrive, and the
     * real client, which completes its handshake, gets in.
     */
    @Test
    void silentSocketsFillingTheHandshakeCapDoNotLockOutARealClient() throws Exception {
        start("""
                  max_connections: 25
                  max_handshaking_connections: 20
                  max_connections_per_source: 0
                """);
        for (int i = 0; i < 25; i++) {
            silent("amqp", null);
            int accepted = i + 1;
            if (accepted <= 20) {
                // One at a time, so that the broker's oldest is our first (accepts run on several event loops).
                await("accepted", () -> gauge("junction.connections.handshaking") == accepted);
            }
        }
        await("the handshake cap holds", () -> gauge("junction.connections.handshaking") == 20);

        Connection real = amqpClient();

        assertThat(real.isOpen()).isTrue();
        assertThat(real.createChannel().queueDeclare().getQueue()).startsWith("amq.gen-");
        assertThat(closedByBroker(sockets.get(0))).as("the oldest silent socket was closed").isTrue();
        assertThat(gauge("junction.connections.handshaking")).isLessThanOrEqualTo(20);
    }

    /**
     * The per-source cap: silent sockets from 127.0.0.2 use up that address's slots, the next connection from it is
     * closed at once, and a client from another address (127.0.0.1) is not affected.
     */
    @Test
    void theSourceCapClosesTheNextConnectionFromAFullAddressOnly() throws Exception {
        start("""
                  max_connections_per_source: 5
                """);
        for (int i = 0; i < 5; i++) {
            silent("mqtt", "127.0.0.2");
        }
        await("five accepted", () -> gauge("junction.connections") == 5);
        Socket sixth = silent("mqtt", "127.0.0.2");

        assertThat(closedByBroker(sixth)).as("the sixth connection from 127.0.0.2 is closed").isTrue();
        assertThat(amqpClient().isOpen()).isTrue();
        assertThat(closedByBroker(sockets.get(0))).as("the earlier ones stay (timeout 10 s)").isFalse();
    }

    /** A silent socket is closed after handshake_timeout_ms (MQTT waited 20 s for CONNECT before, AMQP 10 s). */
    @Test
    void theHandshakeTimeoutClosesSilentSockets() throws Exception {
        start("""
                  handshake_timeout_ms: 300
                """);
        Socket mqtt = silent("mqtt", null);
        Socket amqp = silent("amqp", null);
        Socket ws = silent("mqtt_ws", null);

        assertThat(closedByBroker(mqtt)).isTrue();
        assertThat(closedByBroker(amqp)).isTrue();
        assertThat(closedByBroker(ws)).isTrue();
        // A client that completes its handshake is not affected by the timeout.
        Connection real = amqpClient();
        Thread.sleep(600);
        assertThat(real.isOpen()).isTrue();
    }

    private static String get(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.append((char) b);
        }
        String lengthLine = head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow();
        int length = Integer.parseInt(lengthLine.substring(lengthLine.indexOf(':') + 1).trim());
        return head.toString().lines().findFirst().orElseThrow() + "\n"
                + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void anIdleHttpConnectionIsClosed() throws Exception {
        start("""
                  http_idle_timeout_seconds: 1
                """);
        Socket http = silent("http", null);

        assertThat(get(http, "/health")).startsWith("HTTP/1.1 200");
        assertThat(closedByBroker(http)).as("closed after a second without a request").isTrue();
    }

    @Test
    void httpConnectionsCountAgainstMaxConnections() throws Exception {
        start("""
                  max_connections: 2
                """);
        amqpClient();
        amqpClient();

        Socket http = silent("http", null);

        assertThat(closedByBroker(http)).as("the third connection, an HTTP one, is refused").isTrue();
    }

    /** Per-session metrics label series with the client id; they are opt-in (mqtt.per_session_metrics). */
    @Test
    void metricsDoNotNameMqttClientIdsUnlessAskedTo() throws Exception {
        start("");
        var client = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier("device-of-alice")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
        client.connectWith().cleanStart(true).sessionExpiryInterval(60).simpleAuth().username("guest")
                .password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        client.subscribeWith().topicFilter("alice/commands").send(); // the session has a queue from now
        others.add(client::disconnect);

        String metrics = get(silent("http", null), "/metrics");

        assertThat(metrics).startsWith("HTTP/1.1 200").contains("junction_connections").doesNotContain("device-of-alice");
    }

    @Test
    void perSessionMetricsAreThereWhenEnabled() throws Exception {
        broker.start(BrokerConfig.standard().withMqtt("  per_session_metrics: true\n"));
        var client = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier("device-of-bob")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
        client.connectWith().cleanStart(true).sessionExpiryInterval(60).simpleAuth().username("guest")
                .password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        // A session's queue, which its meters describe, is made with its first subscription.
        client.subscribeWith().topicFilter("bob/commands").send();
        others.add(client::disconnect);

        assertThat(get(silent("http", null), "/metrics")).contains("mqtt.session.device-of-bob");
    }
}
