package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT devices partitioned by a consistent-hash exchange: an exchange-to-exchange binding from {@code amq.topic}
 * hands each publish to the {@code x-consistent-hash} exchange, which hashes the routing key (the topic in AMQP
 * words), so every device's messages land in one partition queue, in order.
 */
class MqttConsistentHashTest {
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    @Test
    void eachDevicesTelemetryLandsInOnePartitionQueueInOrder() throws Exception {
        Channel amqp = mqtt.amqpChannel();
        String x = "telemetry.partitions." + id("x");
        amqp.exchangeDeclare(x, "x-consistent-hash", false, true, null);
        amqp.exchangeBind(x, "amq.topic", "devices.*.telemetry");
        List<String> partitions = List.of(amqp.queueDeclare().getQueue(), amqp.queueDeclare().getQueue());
        for (String p : partitions) {
            amqp.queueBind(p, x, "1");
        }
        Mqtt5BlockingClient device = mqtt.connected5(id("gateway"));
        for (int round = 0; round < 2; round++) {
            for (int d = 0; d < 40; d++) {
                device.publishWith().topic("devices/d" + d + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(utf8("d" + d + ":" + round)).send();
            }
        }
        Map<String, String> partitionOf = new HashMap<>();
        Map<String, Integer> lastRound = new HashMap<>();
        int received = 0;
        long deadline = System.currentTimeMillis() + 5000;
        while (received < 80 && System.currentTimeMillis() < deadline) {
            for (String p : partitions) {
                GetResponse r;
                while ((r = amqp.basicGet(p, true)) != null) {
                    String[] body = MqttSupport.text(r.getBody()).split(":");
                    String before = partitionOf.putIfAbsent(body[0], p);
                    assertThat(before == null ? p : before).as("device %s in one partition", body[0]).isEqualTo(p);
                    int round = Integer.parseInt(body[1]);
                    assertThat(round).as("order within device %s", body[0])
                            .isEqualTo(lastRound.getOrDefault(body[0], -1) + 1);
                    lastRound.put(body[0], round);
                    received++;
                }
            }
            Thread.sleep(20);
        }
        assertThat(received).isEqualTo(80);
        assertThat(partitionOf.values()).as("both partitions get devices").containsAll(partitions);
    }
}
