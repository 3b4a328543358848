package dev.junction.conformance.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.LogCapture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Log injection (CWE-117) and log flooding: whatever a client puts in its client id or user name, and however often
 * it provokes a protocol error, the log gets no forged line and no flood (issue 9, item 12).
 */
@Timeout(60)
class LogInjectionTest {
    private static final String FORGED = "x\n2026-12-06T00:00:00.000Z ERROR [main] Broker - FORGED\r";

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.perMethod();

    private static void assertEscaped(List<String> written) {
        List<String> forged = written.stream().filter(l -> l.contains("FORGED")).toList();
        assertThat(forged).as("log lines naming the hostile string").isNotEmpty();
        for (String line : forged) {
            assertThat(line).as("a written log message").doesNotContain("\n").doesNotContain("\r")
                    .contains("x\\n2026-12-06T00:00:00.000Z ERROR [main] Broker - FORGED\\r");
        }
    }

    @Test
    void crLfInAnAmqpUserNameIsEscapedInTheLog() throws Exception {
        try (LogCapture logs = LogCapture.capture()) {
            ConnectionFactory f = new ConnectionFactory();
            f.setPort(broker.amqpPort());
            f.setUsername(FORGED);
            f.setPassword("wrong");
            f.setAutomaticRecoveryEnabled(false);
            assertThatThrownBy(f::newConnection).isInstanceOf(Exception.class);
            assertThat(logs.await("FORGED", 5000)).as("the refused login is logged").isTrue();
            assertEscaped(logs.written());
        }
    }

    @Test
    void crLfInAnMqttClientIdIsEscapedInTheLog() throws Exception {
        // [MQTT-1.5.3-1] forbids only U+0000 in UTF-8 strings; control characters are allowed on the wire (stock
        // clients refuse to send them, so this CONNECT is written by hand) and are the log's problem
        try (LogCapture logs = LogCapture.capture().level(Class.forName("dev.junction.mqtt.ConnectFlow"), Level.INFO);
                Socket s = new Socket("127.0.0.1", broker.port("mqtt"))) {
            s.setSoTimeout(5000);
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.write(mqttString("MQTT"));
            body.write(new byte[] {4, (byte) 0xC2, 0, 60}); // 3.1.1; user name, password, clean session; keep alive 60
            body.write(mqttString(FORGED));
            body.write(mqttString("guest"));
            body.write(mqttString("wrong"));
            byte[] b = body.toByteArray();
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x10, (byte) b.length});
            out.write(b);
            out.flush();
            byte[] connack = s.getInputStream().readNBytes(4);
            assertThat(connack).as("CONNACK 0x04 bad user name or password [MQTT-3.2.2-3]")
                    .containsExactly(0x20, 2, 0, 4);
            assertThat(logs.await("FORGED", 5000)).as("the refused CONNECT is logged; logged: %s", logs.events())
                    .isTrue();
            assertEscaped(logs.written());
        }
    }

    private static byte[] mqttString(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 2];
        out[0] = (byte) (utf8.length >> 8);
        out[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, out, 2, utf8.length);
        return out;
    }

    @Test
    void protocolErrorWarningsAreLimitedToOneLinePerSourceAddress() throws Exception {
        // 10 AMQP connections from one address, each closed with 501 FRAME_ERROR (the broker waits a second for a
        // close-ok that never comes), and 10 MQTT connections each sending a reserved packet type 0
        // [MQTT-2.2.1 (reserved)]: one warning line in all, not twenty
        try (LogCapture logs = LogCapture.capture()) {
            for (int i = 0; i < 10; i++) {
                try (Socket s = new Socket("127.0.0.1", broker.amqpPort())) {
                    s.setSoTimeout(5000);
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
                    // a heartbeat frame with a bad frame-end octet: connection.close 501 FRAME_ERROR
                    out.write(new byte[] {8, 0, 0, 0, 0, 0, 0, 0x00});
                    out.flush();
                    drain(s.getInputStream());
                }
                try (Socket s = new Socket("127.0.0.1", broker.port("mqtt"))) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(new byte[] {0x00, 0x00});
                    s.getOutputStream().flush();
                    drain(s.getInputStream());
                }
            }
            // The sockets were closed by the broker after it logged (the warning precedes the close).
            long amqp = logs.matching(e -> e.getFormattedMessage().contains("closing connection: 501")).size();
            long mqtt = logs.matching(e -> e.getFormattedMessage().contains("malformed MQTT packet")).size();
            long all = logs.matching(e -> e.getLevel() == Level.WARN).size();
            assertThat(amqp + mqtt).as("protocol-error lines for 20 bad connections; logged %s", logs.events())
                    .isBetween(1L, 2L);
            assertThat(all).as("warning lines in all").isLessThanOrEqualTo(4);
        }
    }

    private static void drain(InputStream in) throws Exception {
        byte[] buf = new byte[512];
        while (in.read(buf) != -1) {
            // until the broker closes the socket
        }
    }
}
