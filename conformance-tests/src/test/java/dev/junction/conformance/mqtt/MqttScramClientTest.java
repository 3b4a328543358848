package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SCRAM with a stock client: the HiveMQ client's enhanced auth API logs in, works, re-authenticates. */
class MqttScramClientTest {
    private static final String USERS = """
              - name: device-7
                password_hash: "%s"
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
            """.formatted(ScramSecret.create(ScramMechanism.SCRAM_SHA_256, "device-7-pw", 4096));

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(BrokerConfig.standard().withUsers(USERS));

    private static Mqtt5BlockingClient client(ScramAuthMechanism scram) {
        return MqttClient.builder().useMqttVersion5().identifier("scram-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).enhancedAuth(scram).buildBlocking();
    }

    @Test
    void theHiveMqClientLogsInWithScramSha256PublishesAndReauthenticates() throws Exception {
        ScramAuthMechanism scram = new ScramAuthMechanism(ScramMechanism.SCRAM_SHA_256, "device-7", "device-7-pw");
        Mqtt5BlockingClient c = client(scram);
        c.connect();
        assertThat(scram.serverProofs).hasValue(1);
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("scram/t").send();
            c.publishWith().topic("scram/t").payload("hello".getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish got = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");

            c.toAsync().reauth().get(5, TimeUnit.SECONDS);
            assertThat(scram.serverProofs).hasValue(2);

            c.publishWith().topic("scram/t").payload("again".getBytes(StandardCharsets.UTF_8)).send();
            got = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("again");
        }
        c.disconnect();
    }

    @Test
    void aWrongPasswordIsBadUserNameOrPassword() {
        Mqtt5BlockingClient c = client(new ScramAuthMechanism(ScramMechanism.SCRAM_SHA_256, "device-7", "nope"));

        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    }
}
