package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.amqp.AmqpProtocol;
import dev.junction.config.ConfigLoader;
import dev.junction.mqtt.MqttProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two protocols on one port, told apart by their protocol header: a test-only module claiming the AMQP 1.0 header
 * (part 2 section 2.2) shares the {@code amqp} listener with AMQP 0-9-1. A stock AMQP 0-9-1 client still works
 * there, and a header neither claims gets AMQP 0-9-1's answer (section 4.2.2: the server's own protocol header,
 * then close), as on a listener of its own.
 */
class ProtocolSharingTest {
    /** How long a socket read may wait: a bound for a failing test, not a timing. */
    private static final int READ_BOUND_MS = 8000;
    private static final byte[] AMQP_0_9_1 = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    @TempDir
    Path dir;
    private Broker broker;
    private ProbeProtocol probe;

    @BeforeEach
    void start() throws Exception {
        probe = new ProbeProtocol("amqp");
        broker = Broker.start(ConfigLoader.parse("""
                listeners:
                  amqp: { bind: 127.0.0.1, port: 0 }
                  mqtt: { enabled: false }
                  mqtt_ws: { enabled: false }
                  http: { enabled: false }
                limits:
                  # Long enough for a stock client's handshake on a loaded machine (it is the gate's clock, and it
                  # runs until connection.open-ok); the undecided-connection test waits this long.
                  handshake_timeout_ms: 5000
                storage: { dir: "%s" }
                """.formatted(dir.toString().replace("\\", "/")), "test.yaml"),
                List.of(new AmqpProtocol(), probe, new MqttProtocol()));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", broker.address("amqp").getPort());
        s.setSoTimeout(READ_BOUND_MS);
        return s;
    }

    @Test
    void theSecondModuleAnswersItsOwnHeader() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(ProbeProtocol.AMQP_1_0);
            assertThat(s.getInputStream().readNBytes(ProbeProtocol.GREETING.length))
                    .isEqualTo(ProbeProtocol.GREETING);
        }
        assertThat(probe.connections.get()).isEqualTo(1);
    }

    @Test
    void aHeaderInPiecesStillFindsItsModule() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            s.setTcpNoDelay(true);
            out.write(new byte[] {'A', 'M', 'Q'});
            out.flush();
            Thread.sleep(50);
            out.write(new byte[] {'P', 0, 1});
            out.flush();
            Thread.sleep(50);
            out.write(new byte[] {0, 0});
            assertThat(s.getInputStream().readNBytes(ProbeProtocol.GREETING.length))
                    .isEqualTo(ProbeProtocol.GREETING);
        }
    }

    @Test
    void aStockAmqpClientStillConnectsOnTheSharedPort() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(broker.address("amqp").getPort());
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare().getQueue();
            channel.basicPublish("", queue, null, "over the shared port".getBytes(StandardCharsets.UTF_8));
            GetResponse got = null;
            for (int i = 0; i < 100 && got == null; i++) {
                got = channel.basicGet(queue, true);
                if (got == null) {
                    Thread.sleep(20);
                }
            }
            assertThat(got).isNotNull();
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("over the shared port");
        }
        assertThat(probe.connections.get()).isZero();
    }

    /** AMQP 0-9-1 section 4.2.2: the server writes the header it accepts and closes the socket. */
    @Test
    void aHeaderNoModuleClaimsGetsTheAmqp091Header() throws Exception {
        for (byte[] unknown : List.of("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 7}, new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9})) {
            try (Socket s = connect()) {
                s.getOutputStream().write(unknown);
                InputStream in = s.getInputStream();
                assertThat(in.readNBytes(AMQP_0_9_1.length)).isEqualTo(AMQP_0_9_1);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
        assertThat(probe.connections.get()).isZero();
    }

    /** The gate sits before the choice: a client that never sends enough to decide is closed on its timeout. */
    @Test
    void anUndecidedConnectionIsClosedByTheHandshakeTimeout() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[] {'A', 'M', 'Q', 'P'});
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(probe.connections.get()).isZero();
    }

    @Test
    void eachServingModuleIsStartedOnceWithTheEngineApiAndClosedOnce() {
        assertThat(probe.starts.get()).isEqualTo(1);
        assertThat(probe.context.engine().vhost("/")).isPresent();
        broker.close();
        assertThat(probe.closes.get()).isEqualTo(1);
    }
}
