package dev.junction.conformance.cluster.mqtt;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import dev.junction.conformance.cluster.ClusterPeers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Three brokers in one JVM as a cluster for the MQTT session tests: free ports, a directory per node, elections
 * timing out within 0.5 to 1 s (so a stopped node's consumers are judged silent after about 5 s), the MQTT and
 * AMQP 0-9-1 listeners on ephemeral ports, and the default {@code guest} user for both protocols.
 */
final class MqttCluster3 implements AutoCloseable {
    static final String[] IDS = ClusterPeers.IDS;

    private final Path dir;
    private final int[] ports;
    final Map<String, Broker> brokers = new TreeMap<>();

    MqttCluster3(Path dir) throws Exception {
        this.dir = dir;
        this.ports = ClusterPeers.freePortPairs(3);
        for (int i = 0; i < 3; i++) {
            brokers.put(IDS[i], Broker.start(ConfigLoader.parse(config(i), "test.yaml")));
        }
        await("a metadata leader on every node", () -> brokers.values().stream()
                .allMatch(b -> !b.cluster().orElseThrow().status().leader().isEmpty()));
    }

    /** Stops {@code node} as a crash would leave it for the others: it answers nothing from now on. */
    void stop(String node) {
        brokers.remove(node).close();
    }

    Connection amqp(String node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(brokers.get(node).address("amqp").getPort());
        return f.newConnection();
    }

    /** A Paho MQTT 3.1.1 client of {@code node}, not connected, without state of its own across instances. */
    MqttClient mqtt(String node, String clientId) throws Exception {
        return new MqttClient("tcp://127.0.0.1:" + brokers.get(node).address("mqtt").getPort(), clientId,
                new MemoryPersistence());
    }

    /** Connect options as guest, with {@code cleanSession}, no automatic reconnect. */
    static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(30);
        o.setKeepAliveInterval(30);
        return o;
    }

    /** Waits until {@code queue} exists ({@code present}) or is gone on {@code node}, as a passive declare says. */
    void awaitQueue(String node, String queue, boolean present) throws Exception {
        await(queue + (present ? " on " : " gone from ") + node, () -> {
            try (Connection c = amqp(node); Channel ch = c.createChannel()) {
                ch.queueDeclarePassive(queue);
                return present;
            } catch (IOException absent) {
                return !present;
            }
        });
    }

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private String config(int i) {
        return """
                listeners:
                  amqp: { port: 0 }
                  mqtt: { port: 0 }
                  mqtt_ws: { port: 0 }
                  http: { bind: 127.0.0.1, port: 0 }
                storage: { dir: "%s" }
                """.formatted(dir.resolve(IDS[i] + "/data"))
                + ClusterPeers.section(i, ports, dir.resolve(IDS[i] + "/raft"), 500, 1000);
    }

    @Override
    public void close() {
        brokers.values().forEach(Broker::close);
        brokers.clear();
    }
}
