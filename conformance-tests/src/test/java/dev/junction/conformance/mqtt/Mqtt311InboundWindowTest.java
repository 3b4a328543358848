package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 3.1.1 has no Receive Maximum: a 3.1.1 client is never told the server's limit, so one that sends many QoS 1
 * PUBLISH packets without waiting for their PUBACKs breaks no rule and keeps its connection. Past
 * {@code mqtt.receive_maximum} the broker stops reading its socket until half of them are answered, every message is
 * still acknowledged [MQTT-4.3.2-1, MQTT-4.3.2-2] in the order received [MQTT-4.6.0-2] and delivered
 * [MQTT-4.5.0-1]. The MQTT 5 client that exceeds the Receive Maximum it was told is still disconnected with 0x93
 * [MQTT-3.3.4-7], {@link MqttReceiveMaximumTest}.
 */
class Mqtt311InboundWindowTest {
    private static final int RECEIVE_MAXIMUM = 10;
    private static final int MESSAGES = 1_000;
    /** Large enough that the messages take several socket reads: the reads stop and start again on the way. */
    private static final int PAYLOAD = 200;

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass(BrokerConfig.standard().withMqtt("""
              allow_anonymous: false
              receive_maximum: %d
              max_queued_messages: 10000
            """.formatted(RECEIVE_MAXIMUM)));

    @Test
    void aMqtt311ClientPastTheWindowIsSlowedNotDisconnected_MQTT_4_3_2_2() throws Exception {
        String topic = "window/" + id("t");
        try (RawMqtt sub = new RawMqtt(mqtt.port()); RawMqtt pub = new RawMqtt(mqtt.port())) {
            sub.connect3(id("winsub"), 60);
            sub.subscribe(topic, 0);
            CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> receive(sub));
            pub.connect3(id("winpub"), 60);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= MESSAGES; i++) {
                byte[] body = new byte[PAYLOAD];
                ByteBuffer.wrap(body).putInt(i);
                all.writeBytes(RawMqtt.packet(0x32, RawMqtt.concat(RawMqtt.str(topic),
                        new byte[] {(byte) (i >> 8), (byte) i}, body))); // PUBLISH QoS 1, packet id i
            }
            // All of them at once, from another thread: nothing here waits for a PUBACK before sending on.
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    pub.send(all.toByteArray());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 1; i <= MESSAGES; i++) {
                int[] puback = pub.readPacket(10_000);
                assertThat(puback).as("PUBACK %d, the connection still open", i).isNotNull();
                assertThat(puback[0]).isEqualTo(0x40);
                assertThat((puback[1] << 8) | puback[2]).as("PUBACKs in the order of the PUBLISHes").isEqualTo(i);
            }
            sent.get(10, TimeUnit.SECONDS);
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(MESSAGES);
        }
    }

    /** Reads QoS 0 PUBLISHes in order until all arrived; the number received. */
    private static int receive(RawMqtt sub) {
        int expected = 1;
        try {
            while (expected <= MESSAGES) {
                int[] p = sub.readPacket(10_000);
                if (p == null) {
                    break;
                }
                assertThat(p[0] & 0xF0).isEqualTo(0x30);
                int topicLength = (p[1] << 8) | p[2];
                int at = 3 + topicLength;
                int seq = (p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3];
                assertThat(seq).as("the next message, none lost").isEqualTo(expected);
                expected++;
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return expected - 1;
    }
}
