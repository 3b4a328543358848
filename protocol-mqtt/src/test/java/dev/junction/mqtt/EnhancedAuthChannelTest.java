package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AUTH exchange on the server's real pipeline: the CONNACK carries the server's proof, packets a client sends
 * too early are judged in the order sent, and a client that does not answer the challenge is disconnected.
 */
class EnhancedAuthChannelTest {
    private static final String METHOD = "SCRAM-SHA-256";
    private EmbeddedBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker("""
                  - name: bob
                    password_hash: "%s"
                    permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
                """.formatted(ScramSecret.create(ScramMechanism.SCRAM_SHA_256, "bob-pw", 4096)));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void theConnackCarriesTheMethodAndTheServerFinalMessage() throws Exception {
        try (EmbeddedClient client = broker.client()) {
            String bare = "n=bob,r=client-nonce";
            client.send(connect(bare));
            MqttMessage challenge = client.next();
            String serverFirst = text(data(challenge));
            String withoutProof = "c=biws,r=" + serverFirst.substring(2, serverFirst.indexOf(','));
            ScramMechanism m = ScramMechanism.SCRAM_SHA_256;
            byte[] salted = m.hi("bob-pw", Base64.getDecoder().decode(serverFirst.split(",")[1].substring(2)), 4096);
            byte[] authMessage = (bare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
            byte[] clientKey = m.hmac(salted, "Client Key");
            byte[] signature = m.hmac(m.hash(clientKey), authMessage);
            for (int i = 0; i < clientKey.length; i++) {
                clientKey[i] ^= signature[i];
            }
            client.send(auth(0x18, (withoutProof + ",p=" + Base64.getEncoder().encodeToString(clientKey))
                    .getBytes(StandardCharsets.UTF_8)));

            MqttConnAckMessage ack = (MqttConnAckMessage) client.next();
            assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            MqttProperties props = ack.variableHeader().properties();
            assertThat(props.getProperty(MqttProperties.AUTHENTICATION_METHOD).value()).isEqualTo(METHOD);
            byte[] expected = m.hmac(m.hmac(salted, "Server Key"), authMessage);
            assertThat(text((byte[]) props.getProperty(MqttProperties.AUTHENTICATION_DATA).value()))
                    .isEqualTo("v=" + Base64.getEncoder().encodeToString(expected));
        }
    }

    @Test
    void aPublishSentBeforeTheExchangeEndsIsAProtocolErrorAfterTheChallenge() throws Exception {
        try (EmbeddedClient client = broker.client()) {
            client.send(connect("n=bob,r=client-nonce"));
            client.send(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_MOST_ONCE)
                    .payload(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1})).build());

            assertThat(client.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.AUTH);
            MqttConnAckMessage refused = (MqttConnAckMessage) client.next();
            assertThat(refused.variableHeader().connectReturnCode())
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR); // [MQTT-3.1.2-30]
            assertThat(client.server.isOpen()).isFalse();
        }
    }

    @Test
    void aClientThatDoesNotAnswerTheChallengeIsDisconnected() throws Exception {
        try (EmbeddedClient client = broker.client()) {
            client.send(connect("n=bob,r=client-nonce"));
            assertThat(client.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.AUTH);

            client.server.advanceTimeBy(EnhancedAuth.CHALLENGE_TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);
            client.server.runScheduledPendingTasks();
            assertThat(client.server.isOpen()).isTrue();
            client.server.advanceTimeBy(1, TimeUnit.SECONDS);
            client.server.runScheduledPendingTasks();
            assertThat(client.server.isOpen()).isFalse();
            assertThat(client.poll()).as("no CONNACK").isNull();
        }
    }

    private static MqttMessage connect(String clientFirstBare) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, METHOD));
        props.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA,
                ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8)));
        return MqttMessageBuilders.connect().clientId("scram-client").protocolVersion(MqttVersion.MQTT_5)
                .cleanSession(true).keepAlive(0).properties(props).build();
    }

    private static MqttMessage auth(int reason, byte[] data) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, METHOD));
        props.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        return MqttMessageBuilders.auth().reasonCode((byte) reason).properties(props).build();
    }

    private static byte[] data(MqttMessage m) {
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.AUTH);
        MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        assertThat(h.reasonCode()).isEqualTo((byte) 0x18);
        return (byte[]) h.properties().getProperty(MqttProperties.AUTHENTICATION_DATA).value();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
