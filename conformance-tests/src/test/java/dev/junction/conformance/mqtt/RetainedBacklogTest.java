package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import dev.junction.conformance.BrokerConfig;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retained messages are sent on every SUBSCRIBE that matches them [MQTT-3.3.1-9, MQTT-3.8.4-4 (3.1.1)], so a
 * SUBSCRIBE of a few bytes asks for every retained message of the vhost. A client that sends many and never reads
 * its socket must not make the broker hold them all: the broker sends them as the socket takes them and reads no
 * further packet meanwhile. Nothing is lost: once the client reads, every SUBSCRIBE gets all of them, in order.
 */
class RetainedBacklogTest {
    private static final int RETAINED = 60;
    private static final int SIZE = 128 * 1024;
    private static final int SUBSCRIBES = 8;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass(BrokerConfig.standard().withMqtt("""
              allow_anonymous: false
              max_packet_size: 1048576
            """));

    private static long nettyMemory() {
        // The allocator the broker's channels use (pooled or adaptive, depending on the Netty version).
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void subscribesFromAClientThatDoesNotReadDoNotPileUpRetainedMessagesInTheBroker_MQTT_3_3_1_9() throws Exception {
        Mqtt5BlockingClient pub = mqtt.connected5(MqttSupport.id("pub"));
        for (int i = 0; i < RETAINED; i++) {
            pub.publishWith().topic("backlog/" + i).retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[SIZE])
                    .send();
        }
        long before = nettyMemory();
        try (Socket socket = new Socket("127.0.0.1", mqtt.port())) {
            socket.setSoTimeout(30_000);
            socket.setReceiveBufferSize(64 * 1024);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            // CONNECT 3.1.1, clean session, user name and password guest
            out.write(RawMqtt.packet(0x10, RawMqtt.concat(RawMqtt.str("MQTT"), new byte[] {4, (byte) 0xC2, 0, 0},
                    RawMqtt.str(MqttSupport.id("reader")), RawMqtt.str("guest"), RawMqtt.str("guest"))));
            out.flush();
            assertThat(readPacket(in)[0]).as("CONNACK").isEqualTo(0x20);
            byte[] all = new byte[0];
            for (int i = 0; i < SUBSCRIBES; i++) {
                all = RawMqtt.concat(all, RawMqtt.packet(0x82, RawMqtt.concat(new byte[] {0, (byte) (i + 1)},
                        RawMqtt.str("backlog/#"), new byte[] {0})));
            }
            out.write(RawMqtt.concat(all, new byte[] {(byte) 0xC0, 0})); // then PINGREQ
            out.flush();
            // Without the rule the broker encoded all 8 x 7.5 MiB within a moment; look for it for a while.
            long peak = 0;
            for (int i = 0; i < 40; i++) {
                peak = Math.max(peak, nettyMemory() - before);
                Thread.sleep(100);
            }
            assertThat(peak).as("bytes the broker buffered for a client that does not read")
                    .isLessThan((long) RETAINED * SIZE * 2);
            // Nothing lost: each SUBSCRIBE gets its SUBACK and every retained message, then the PINGRESP.
            int publishes = 0;
            int subacks = 0;
            while (true) {
                int[] header = readPacket(in);
                int type = header[0] >> 4;
                if (type == 13) {
                    break;
                }
                if (type == 9) {
                    subacks++;
                } else if (type == 3) {
                    assertThat(header[0] & 1).as("retain flag [MQTT-3.3.1-8]").isEqualTo(1);
                    publishes++;
                }
            }
            assertThat(subacks).isEqualTo(SUBSCRIBES);
            assertThat(publishes).isEqualTo(SUBSCRIBES * RETAINED);
        }
    }

    /** Reads one packet, returning its first byte (and skipping its body). */
    private static int[] readPacket(DataInputStream in) throws java.io.IOException {
        int b1 = in.readUnsignedByte();
        int len = 0;
        int mult = 1;
        int d;
        do {
            d = in.readUnsignedByte();
            len += (d & 0x7F) * mult;
            mult *= 128;
        } while ((d & 0x80) != 0);
        in.skipNBytes(len);
        return new int[] {b1, len};
    }
}
