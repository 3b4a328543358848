package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.config.PasswordHash;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Users whose password_hash is PBKDF2-HMAC-SHA512 (what hash-password writes) log in over AMQP and MQTT; the slow
 * check runs off the event loop and a wrong password is refused with each protocol's code (AMQP 403
 * ACCESS_REFUSED, MQTT 5 CONNACK 0x86).
 */
class Pbkdf2PasswordLoginTest {
    private static final String USERS = """
              - name: hashed-amqp
                password_hash: "%s"
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
              - name: hashed-mqtt
                password_hash: "%s"
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
            """.formatted(PasswordHash.create("amqp-secret", 20_000), PasswordHash.create("mqtt-secret", 20_000));

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(
            BrokerConfig.standard().withMqtt("  allow_anonymous: false\n").withUsers(USERS));

    private static ConnectionFactory amqp(String password) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername("hashed-amqp");
        f.setPassword(password);
        f.setAutomaticRecoveryEnabled(false);
        return f;
    }

    private static Mqtt5BlockingClient mqtt() {
        return MqttClient.builder().useMqttVersion5().identifier("pbkdf2-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
    }

    @Test
    void amqpLoginWithAPbkdf2HashWorksAndAWrongPasswordIsRefused() throws Exception {
        for (int i = 0; i < 2; i++) { // the second time from the remembered outcome
            try (Connection c = amqp("amqp-secret").newConnection()) {
                assertThat(c.isOpen()).isTrue();
            }
            assertThatThrownBy(() -> amqp("amqp-wrong").newConnection())
                    .isInstanceOf(AuthenticationFailureException.class);
        }
    }

    @Test
    void mqttLoginWithAPbkdf2HashWorksAndAWrongPasswordIsRefused() {
        for (int i = 0; i < 2; i++) {
            Mqtt5BlockingClient ok = mqtt();
            ok.connectWith().simpleAuth().username("hashed-mqtt")
                    .password("mqtt-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
            ok.disconnect();
            Mqtt5BlockingClient wrong = mqtt();
            assertThatThrownBy(() -> wrong.connectWith().simpleAuth().username("hashed-mqtt")
                    .password("mqtt-wrong".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                    .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        }
    }
}
