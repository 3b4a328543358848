package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.LogCapture;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refusal is logged in the same words whichever protocol the client spoke (docs/security.md, "Refusals in the
 * log"): a refused login is one line {@code <who> login refused for user '<user>' from <peer>: <why>} with
 * {@code bad credentials} or {@code no access to vhost '<vhost>'}, and a publish the MQTT ACL refuses names the ACL
 * rule that matched, over MQTT and AMQP alike.
 */
@Timeout(120)
class RefusalWordingTest {
    private static final String ACL_USER = """
              - name: acl1
                password: acl1
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: deny, topic: "secret/#" }
                  - { permission: allow, topic: "#" }
            """;

    /** One broker per test: AMQP refusal lines are limited per source address, and every test is 127.0.0.1. */
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.perMethod(BrokerConfig.standard().withUsers(ACL_USER));

    private Connection amqp(String user, String password, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        return f.newConnection();
    }

    private Mqtt5BlockingClient mqtt(String clientId) {
        return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port("mqtt"))
                .buildBlocking();
    }

    private static void connect(Mqtt5BlockingClient client, String user, String password) {
        client.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }

    private static LogCapture captureConnects() throws Exception {
        return LogCapture.capture().level(Class.forName("dev.junction.mqtt.ConnectFlow"), Level.INFO);
    }

    /** AMQP 1.0 (SASL PLAIN from Qpid JMS) logs a refused login in the same words as 0-9-1 and MQTT. */
    @Test
    void amqp10BadCredentialsAreLoggedInTheSameWords() throws Exception {
        try (LogCapture log = captureConnects()) {
            assertThatThrownBy(() -> {
                jakarta.jms.Connection c = new org.apache.qpid.jms.JmsConnectionFactory("limited", "wrong",
                        "amqp://127.0.0.1:" + broker.amqpPort()).createConnection();
                try {
                    c.start();
                } finally {
                    c.close();
                }
            }).isInstanceOf(jakarta.jms.JMSSecurityException.class);
            assertThat(log.await("AMQP 1.0 login refused for user 'limited' from", 5000)).isTrue();
            assertThat(log.matching(e -> e.getFormattedMessage().contains("AMQP 1.0 login refused")))
                    .hasSize(1).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains(": bad credentials"));
        }
    }

    @Test
    void badCredentialsAreOneLineInTheSameWordsForAmqpAndMqtt() throws Exception {
        try (LogCapture log = captureConnects()) {
            assertThatThrownBy(() -> amqp("limited", "wrong", "restricted")).isNotNull();
            assertThatThrownBy(() -> connect(mqtt("w1"), "limited", "wrong")).isInstanceOf(Mqtt5ConnAckException.class);
            assertThat(log.await("AMQP login refused for user 'limited' from", 5000)).isTrue();
            assertThat(log.await("MQTT client 'w1' login refused for user 'limited' from", 5000)).isTrue();
            assertThat(log.matching(e -> e.getFormattedMessage().contains("login refused for user 'limited'")))
                    .hasSize(2).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains(": bad credentials"));
        }
    }

    @Test
    void noAccessToTheVhostIsWordedAlikeForAmqpAndMqtt() throws Exception {
        try (LogCapture log = captureConnects()) {
            // "limited" has permissions in "restricted" only; AMQP asks for "/", and MQTT lives in "/".
            assertThatThrownBy(() -> amqp("limited", "limited", "/")).hasStackTraceContaining("NOT_ALLOWED");
            assertThatThrownBy(() -> connect(mqtt("v1"), "limited", "limited")).isInstanceOf(Mqtt5ConnAckException.class);
            assertThat(log.await("AMQP login refused for user 'limited' from", 5000)).isTrue();
            assertThat(log.await("MQTT client 'v1' login refused for user 'limited' from", 5000)).isTrue();
            assertThat(log.matching(e -> e.getFormattedMessage().contains("login refused for user 'limited'")))
                    .hasSize(2).allSatisfy(e -> assertThat(e.getFormattedMessage()).endsWith("no access to vhost '/'"));
        }
    }

    @Test
    void theAclRuleThatMatchedIsNamedForMqttAndAmqp() throws Exception {
        try (LogCapture log = LogCapture.capture().level(Class.forName("dev.junction.mqtt.InboundPublish"), Level.INFO)) {
            Mqtt5BlockingClient client = mqtt("a1");
            connect(client, "acl1", "acl1");
            assertThatThrownBy(() -> client.publishWith().topic("secret/x").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[1]).send()).isInstanceOf(Mqtt5PubAckException.class);
            client.disconnect();
            assertThat(log.await("refused by ACL rule 'deny all secret/#'", 5000)).isTrue();
        }
        try (Connection c = amqp("acl1", "acl1", "/")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("amq.topic", "secret.x", null, new byte[1]);
            assertThatThrownBy(() -> ch.waitForConfirmsOrDie(10_000))
                    .hasStackTraceContaining("refused by ACL rule 'deny all secret/#'");
        }
    }
}
