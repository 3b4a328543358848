package dev.junction.conformance.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import dev.junction.conformance.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Client factories shared by the MQTT conformance tests; every client made here is closed by {@link #close}. */
final class MqttSupport implements AutoCloseable {
    static final String DEFAULT_MQTT = """
              allow_anonymous: false
              max_keepalive: 30
              topic_alias_maximum: 8
              max_queued_messages: 5
              max_session_expiry_seconds: 3600
              max_packet_size: 65536
            """;
    static final String ACL_USER = """
              - name: acl
                password: acl
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: deny, action: subscribe, topic: "secret/#" }
                  - { permission: deny, action: publish, topic: "readonly/#" }
                  - { permission: allow, topic: "#" }
            """;

    final BrokerFixture broker;
    private final List<Object> clients = new ArrayList<>();

    MqttSupport(BrokerFixture broker) {
        this.broker = broker;
    }

    static MqttSupport start() throws Exception {
        return new MqttSupport(BrokerFixture.startWithMqtt(DEFAULT_MQTT, ACL_USER));
    }

    int port() {
        return broker.port("mqtt");
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    Mqtt5BlockingClient v5(String clientId) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port()).buildBlocking();
        clients.add(c);
        return c;
    }

    Mqtt3BlockingClient v3(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port()).buildBlocking();
        clients.add(c);
        return c;
    }

    /** A connected MQTT 5 client, clean start, session ending with the connection. */
    Mqtt5BlockingClient connected5(String clientId) {
        Mqtt5BlockingClient c = v5(clientId);
        auth(c.connectWith()).cleanStart(true).send();
        return c;
    }

    Mqtt3BlockingClient connected3(String clientId) {
        Mqtt3BlockingClient c = v3(clientId);
        c.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                .cleanSession(true).send();
        return c;
    }

    static Mqtt5ConnectBuilder.Send<com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck> auth(
            Mqtt5ConnectBuilder.Send<com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck> b) {
        return b.simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth();
    }

    /** Registers something else to close at the end (Paho clients, AMQP connections). */
    <T> T track(T closeable) {
        clients.add(closeable);
        return closeable;
    }

    @Override
    public void close() {
        for (Object o : clients) {
            try {
                if (o instanceof Mqtt5BlockingClient c && c.getState().isConnected()) {
                    c.disconnect();
                } else if (o instanceof Mqtt3BlockingClient c && c.getState().isConnected()) {
                    c.disconnect();
                } else if (o instanceof org.eclipse.paho.client.mqttv3.MqttClient p) {
                    if (p.isConnected()) {
                        p.disconnectForcibly(100, 100);
                    }
                    p.close(true);
                } else if (o instanceof AutoCloseable a) {
                    a.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        broker.close();
    }
}
