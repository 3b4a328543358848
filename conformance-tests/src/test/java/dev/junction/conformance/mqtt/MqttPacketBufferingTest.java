package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker buffers an MQTT packet whole before decoding it, so the largest packet it accepts is what one socket can
 * make it hold. Before a CONNECT is accepted that is 64 KiB (RabbitMQ's {@code mqtt.max_packet_size_unauthenticated}),
 * whatever {@code mqtt.max_packet_size} says; once connected it is never more than the largest PUBLISH that
 * {@code limits.max_message_size} admits, and the CONNACK says so [MQTT-3.2.2-15 (5.0)]. This broker keeps the
 * shipped {@code max_packet_size} (256 MiB) with a 1 MiB {@code max_message_size}.
 */
class MqttPacketBufferingTest {
    private static final int MAX_MESSAGE = 1024 * 1024;
    /** More than either limit, far less than the 256 MiB the old code buffered per socket. */
    private static final int STREAMED = 32 * 1024 * 1024;

    @RegisterExtension
    static final ConformanceBroker broker =
            ConformanceBroker.perClass(BrokerConfig.standard().withMaxMessageSize(MAX_MESSAGE));

    /** Writes {@code header}, then up to {@link #STREAMED} bytes of body; the broker must stop taking them. */
    private static void streamUntilRefused(RawMqtt raw, byte[] header) throws IOException {
        raw.send(header);
        OutputStream out = raw.output();
        byte[] chunk = new byte[64 * 1024];
        for (int sent = 0; sent < STREAMED; sent += chunk.length) {
            out.write(chunk);
        }
        out.flush();
    }

    /** A fixed header with first byte {@code firstByte} announcing {@code length} bytes (MQTT 5 section 2.1.4). */
    private static byte[] header(int firstByte, int length) {
        byte[] out = new byte[5];
        out[0] = (byte) firstByte;
        int i = 1;
        do {
            int digit = length % 128;
            length /= 128;
            out[i++] = (byte) (length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        return java.util.Arrays.copyOf(out, i);
    }

    // An unauthenticated socket claiming a 100 MB CONNECT used to be read (and buffered) until its handshake timeout.
    @Test
    void connectLargerThan64KiBIsRefusedFromItsHeaderBeforeAnyLogin() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            assertThatThrownBy(() -> streamUntilRefused(raw, header(0x10, 100_000_000)))
                    .as("the broker closed the socket instead of buffering the CONNECT")
                    .isInstanceOf(IOException.class);
        }
    }

    // MQTT over WebSocket [MQTT-6.0.0-2]: a WebSocket frame is buffered whole before the MQTT guard sees its first
    // byte; a broker whose max_message_size allows 128 MiB messages must still not read a 100 MB frame before a
    // login. RFC 6455 section 5.2: FIN + binary opcode, masked, 64-bit length.
    @Test
    void webSocketFrameLargerThanALoginNeedsIsRefusedBeforeAnyLogin() throws Exception {
        try (BrokerFixture large = BrokerFixture.startWithLimits(128L * 1024 * 1024, "");
                java.net.Socket socket = new java.net.Socket("127.0.0.1", large.port("mqtt_ws"))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder response = new StringBuilder();
            while (!response.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("upgrade response").isNotNegative();
                response.append((char) b);
            }
            assertThat(response.toString()).startsWith("HTTP/1.1 101");
            long length = 100_000_000L;
            byte[] frame = new byte[14];
            frame[0] = (byte) 0x82;
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
            // mask key 0: the payload goes as written
            assertThatThrownBy(() -> {
                out.write(frame);
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < STREAMED; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
            }).as("the broker closed the socket instead of buffering the frame").isInstanceOf(IOException.class);
        }
    }

    // Once connected, a PUBLISH larger than max_message_size allows is refused from its header, not after 256 MiB.
    @Test
    void publishLargerThanMaxMessageSizeAllowsIsRefusedFromItsHeader_MQTT_3_2_2_15() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.connect5(MqttSupport.id("big"));
            assertThatThrownBy(() -> streamUntilRefused(raw, header(0x30, 100_000_000)))
                    .as("the broker closed the socket instead of buffering the PUBLISH")
                    .isInstanceOf(IOException.class);
        }
    }

    // [MQTT-3.2.2-15]: the client must not send packets over the server's Maximum Packet Size, so the CONNACK has to
    // name the size the broker really accepts; a message of max_message_size still fits.
    @Test
    void connackAnnouncesTheMaximumPacketSizeTheBrokerAccepts_MQTT_3_2_2_15() {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(MqttSupport.id("mps"))
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
        try {
            Mqtt5ConnAck ack = client.connectWith().simpleAuth().username("guest")
                    .password("guest".getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().send();
            assertThat(ack.getRestrictions().getMaximumPacketSize())
                    .isGreaterThan(MAX_MESSAGE).isLessThan(2 * MAX_MESSAGE);
            client.publishWith().topic("mps/x").payload(new byte[MAX_MESSAGE]).send();
            assertThat(client.getState().isConnected()).isTrue();
        } finally {
            client.disconnect();
        }
    }
}
