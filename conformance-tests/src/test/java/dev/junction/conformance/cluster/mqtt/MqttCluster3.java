package dev.junction.conformance.cluster.mqtt;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The three-broker cluster of the quorum queue tests ({@link QuorumCluster3}: free ports, a directory per node,
 * elections timing out within 1 to 2 s, so a stopped node's consumers are judged silent after about 10 s) with
 * what the MQTT session tests add: a Paho client of a node, guest's connect options, and waiting for a session
 * queue to appear or go on a node.
 */
final class MqttCluster3 implements AutoCloseable {

    private final QuorumCluster3 nodes;

    MqttCluster3(Path dir) throws Exception {
        this(dir, "");
    }

    /** {@code sections}: more top-level sections of every node's configuration, as YAML (e.g. {@code mqtt:}). */
    MqttCluster3(Path dir, String sections) throws Exception {
        this.nodes = new QuorumCluster3(dir, "", sections);
    }

    /** Stops {@code node} as a crash would leave it for the others: it answers nothing from now on. */
    void stop(String node) {
        nodes.stop(node);
    }

    Broker broker(String node) {
        return nodes.node(node);
    }

    Connection amqp(String node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker(node).address("amqp").getPort());
        return f.newConnection();
    }

    /** A Paho MQTT 3.1.1 client of {@code node}, not connected, without state of its own across instances. */
    MqttClient mqtt(String node, String clientId) throws Exception {
        return new MqttClient("tcp://127.0.0.1:" + broker(node).address("mqtt").getPort(), clientId,
                new MemoryPersistence());
    }

    /** Connect options as guest, with {@code cleanSession}, no automatic reconnect. */
    static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // Longer than the broker's 30 s limit on a session's setup: the broker's answer ends a slow CONNECT, not Paho.
        o.setConnectionTimeout(60);
        o.setKeepAliveInterval(30);
        return o;
    }

    /** Waits until {@code queue} exists ({@code present}) or is gone on {@code node}, as a passive declare says. */
    void awaitQueue(String node, String queue, boolean present) throws Exception {
        QuorumCluster3.await(queue + (present ? " on " : " gone from ") + node, () -> {
            try (Connection c = amqp(node); Channel ch = c.createChannel()) {
                ch.queueDeclarePassive(queue);
                return present;
            } catch (IOException absent) {
                return !present;
            }
        });
    }

    @Override
    public void close() {
        nodes.close();
    }
}
