package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT conformance tests' broker (a {@link ConformanceBroker} to register with {@code @RegisterExtension}) and
 * client factories; every client made here is closed before the broker stops.
 */
final class MqttSupport extends ConformanceBroker {
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

    private MqttSupport(Lifecycle lifecycle, BrokerConfig config) {
        super(lifecycle, config);
    }

    /** The MQTT tests' usual broker ({@link #DEFAULT_MQTT}, the {@code acl} user), one for the whole class. */
    public static MqttSupport perClass() {
        return new MqttSupport(Lifecycle.PER_CLASS, standardMqtt());
    }

    public static MqttSupport perClass(BrokerConfig config) {
        return new MqttSupport(Lifecycle.PER_CLASS, config);
    }

    /** The MQTT tests' usual broker, a fresh one for every test. */
    public static MqttSupport perMethod() {
        return new MqttSupport(Lifecycle.PER_METHOD, standardMqtt());
    }

    public static MqttSupport perMethod(BrokerConfig config) {
        return new MqttSupport(Lifecycle.PER_METHOD, config);
    }

    /** A broker the test starts itself ({@link #start}, {@link #startIn}), stopped after it. */
    static MqttSupport byTest() {
        return new MqttSupport(Lifecycle.BY_TEST, BrokerConfig.standard());
    }

    /** The base configuration with the {@link #DEFAULT_MQTT} section and the {@link #ACL_USER}. */
    static BrokerConfig standardMqtt() {
        return BrokerConfig.standard().withMqtt(DEFAULT_MQTT).withUsers(ACL_USER);
    }

    int port() {
        return port("mqtt");
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
        closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    Mqtt3BlockingClient v3(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port()).buildBlocking();
        closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
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

    /** A channel on a new AMQP connection to this broker as guest, closed before the broker stops. */
    com.rabbitmq.client.Channel amqpChannel() throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setPort(amqpPort());
        return closeBeforeStop(f.newConnection()).createChannel();
    }

    /** A client that did nothing wrong still connects, subscribes and gets its own QoS 1 message. */
    void assertStillServes() throws Exception {
        Mqtt5BlockingClient c = connected5(id("healthy"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("healthy/t").send();
            c.publishWith().topic("healthy/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("ok")).send();
            assertThat(in.receive(5, TimeUnit.SECONDS)).isPresent();
        }
        c.disconnect();
    }

    /** Registers something else to close before the broker stops (Paho clients, AMQP connections). */
    <T> T track(T closeable) {
        if (closeable instanceof org.eclipse.paho.client.mqttv3.MqttClient p) {
            closeBeforeStop(() -> {
                if (p.isConnected()) {
                    p.disconnectForcibly(100, 100);
                }
                p.close(true);
            });
        } else if (closeable instanceof Mqtt5BlockingClient c) {
            closeBeforeStop(() -> {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            });
        } else if (closeable instanceof AutoCloseable a) {
            closeBeforeStop(a);
        } else {
            throw new IllegalArgumentException("cannot close " + closeable);
        }
        return closeable;
    }
}
