package dev.junction.conformance.amqp10;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * The AMQP 1.0 conformance tests' broker (a {@link ConformanceBroker} to register with {@code @RegisterExtension})
 * and the stock clients they drive: Apache Qpid JMS over AMQP 1.0 on the shared {@code amqp} port, the RabbitMQ
 * 0-9-1 client on the same port and the HiveMQ MQTT 5 client. Everything made here is closed before the broker
 * stops.
 */
final class Amqp10Support extends ConformanceBroker {
    static final String MQTT = """
              allow_anonymous: false
            """;

    private Amqp10Support(Lifecycle lifecycle, BrokerConfig config) {
        super(lifecycle, config);
    }

    public static Amqp10Support perClass() {
        return perClass(BrokerConfig.standard());
    }

    public static Amqp10Support perClass(BrokerConfig config) {
        return new Amqp10Support(Lifecycle.PER_CLASS, config.withMqtt(MQTT));
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The URI Qpid JMS connects with; {@code options} are its {@code amqp.*} / {@code jms.*} query options. */
    String uri(String options) {
        return "amqp://127.0.0.1:" + amqpPort() + (options.isEmpty() ? "" : "?" + options);
    }

    /** A started JMS connection as {@code user}. */
    Connection jms(String user, String password, String options) throws JMSException {
        Connection c = new JmsConnectionFactory(user, password, uri(options)).createConnection();
        closeBeforeStop(c::close);
        c.start();
        return c;
    }

    Connection jms() throws JMSException {
        return jms("guest", "guest", "");
    }

    /** An AMQP 0-9-1 channel of guest's in the default vhost, on the same port. */
    com.rabbitmq.client.Channel amqpChannel() throws Exception {
        return amqpChannelIn("/");
    }

    com.rabbitmq.client.Channel amqpChannelIn(String vhost) throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setPort(amqpPort());
        f.setVirtualHost(vhost);
        return closeBeforeStop(f.newConnection()).createChannel();
    }

    /** A connected MQTT 5 client (guest), clean start. */
    Mqtt5BlockingClient mqtt5(String clientId) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port("mqtt")).buildBlocking();
        closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        c.connectWith().cleanStart(true).simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                .send();
        return c;
    }

    /** The next message of {@code queue}, taken with an auto-ack basic.get, waiting up to 5 s for one to arrive. */
    static GetResponse poll(Channel ch, String queue) throws Exception {
        for (int i = 0; i < 250; i++) {
            GetResponse r = ch.basicGet(queue, true);
            if (r != null) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing arrived in " + queue);
    }
}
