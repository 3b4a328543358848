package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttEnhancedAuthTest.auth;
import static dev.junction.conformance.mqtt.MqttEnhancedAuthTest.connect;
import static dev.junction.conformance.mqtt.MqttEnhancedAuthTest.property;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An OAuth 2.0 access token in MQTT 5 enhanced authentication (section 4.12) and re-authentication (4.12.1): the
 * methods {@code OAUTHBEARER} (RFC 7628's client response) and {@code JWT} (the token itself), verified by the jwt
 * backend; a renewed token's scopes and expiry apply to the connection from the next packet; a token for another
 * user ends it with DISCONNECT 0x87 [MQTT-4.12.1-2]. Tokens signed in the test with HS256.
 */
@Timeout(120)
class MqttTokenAuthTest {
    private static final String SECRET = "test-secret-of-at-least-32-characters!!";
    private static final int CONNACK = 0x20;
    private static final int REAUTH = 0x19;
    private static final int METHOD = 0x15;

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(BrokerConfig.standard().withSections("""
            auth:
              backends: [internal, jwt]
              jwt:
                resource_server_id: junction
                hmac_secret: "%s"
            """.formatted(SECRET)));

    /** MQTT's own resources, and publishing to {@code devices.<key>.*} on the MQTT exchange (amq.topic). */
    private static String publishing(String key) {
        return "junction.configure:*/mqtt.* junction.write:*/mqtt.* junction.read:*/mqtt.*"
                + " junction.write:*/amq.topic/devices." + key + ".* junction.read:*/amq.topic/*";
    }

    private static String token(String sub, String scope, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(sub).audience("junction").claim("scope", scope)
                .jwtID(UUID.randomUUID().toString()).expirationTime(Date.from(exp)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static String token(String sub, String scope) throws Exception {
        return token(sub, scope, Instant.now().plusSeconds(3600));
    }

    private static void publish(Mqtt5BlockingClient c, String topic) {
        c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
    }

    private static void assertRefused(Mqtt5BlockingClient c, String topic) {
        assertThatThrownBy(() -> publish(c, topic)).isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
    }

    /**
     * The stock HiveMQ client with OAUTHBEARER: it logs in with a token, re-authenticates with a renewed one whose
     * scopes differ (they apply to the next PUBLISH) and which outlives the first (the connection outlives it too),
     * and a token naming another user ends the connection with DISCONNECT 0x87.
     */
    @Test
    void theHiveMqClientLogsInWithATokenAndRenewsItByReauthentication() throws Exception {
        Instant soon = Instant.now().plusSeconds(3);
        TokenAuthMechanism mechanism = new TokenAuthMechanism(token("dev-1", publishing("a"), soon));
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("token-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).enhancedAuth(mechanism)
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildBlocking();
        c.connect();
        publish(c, "devices/a/t");
        assertRefused(c, "devices/b/t");

        mechanism.token = token("dev-1", publishing("b"));
        c.toAsync().reauth().get(10, TimeUnit.SECONDS);
        assertThat(mechanism.renewals).hasValue(1);
        publish(c, "devices/b/t"); // the renewed token's scopes, from the next packet on
        assertRefused(c, "devices/a/t");
        while (Instant.now().isBefore(soon.plusSeconds(1))) {
            Thread.sleep(200);
        }
        publish(c, "devices/b/t"); // past the first token's expiry: the renewed one's applies

        mechanism.token = token("intruder", publishing("b"));
        c.toAsync().reauth();
        assertThat(disconnected.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED));
    }

    /** JWT method, byte by byte: CONNACK 0x00 naming the method [MQTT-4.12.0-5], AUTH Success on re-authentication. */
    @Test
    void theJwtMethodCarriesTheTokenItselfAndReauthenticatesInOneStep() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.send(connect("JWT", token("dev-2", publishing("x")).getBytes(StandardCharsets.UTF_8)));
            int[] connack = raw.readPacket(5000);
            assertThat(connack[0]).isEqualTo(CONNACK);
            assertThat(connack[2]).as("Success").isZero();
            assertThat(new String(property(connack, 3, METHOD), StandardCharsets.UTF_8)).isEqualTo("JWT");

            raw.send(auth(REAUTH, "JWT", token("dev-2", publishing("y")).getBytes(StandardCharsets.UTF_8)));
            int[] success = raw.readPacket(5000);
            assertThat(success[0]).as("AUTH").isEqualTo(0xF0);
            assertThat(success[1]).as("Success").isZero();
            assertThat(new String(property(success, 2, METHOD), StandardCharsets.UTF_8)).isEqualTo("JWT");

            raw.send(auth(REAUTH, "JWT", "not.a.token".getBytes(StandardCharsets.UTF_8)));
            raw.expectDisconnect(0x87); // a refused re-authentication [MQTT-4.12.1-2]
        }
    }

    /** Refusals at CONNECT: a bad token 0x86; a token without the MQTT vhost 0x87. */
    @Test
    void aRefusedTokenIs0x86AndATokenWithoutTheVhostIs0x87() throws Exception {
        byte[][] bad = {
            "not.a.token".getBytes(StandardCharsets.UTF_8),
            token("dev-3", publishing("x"), Instant.now().minusSeconds(120)).getBytes(StandardCharsets.UTF_8),
        };
        for (byte[] data : bad) {
            try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
                raw.send(connect("JWT", data));
                int[] connack = raw.readPacket(5000);
                assertThat(connack[0]).isEqualTo(CONNACK);
                assertThat(connack[2]).as("Bad user name or password").isEqualTo(0x86);
                assertThat(raw.readUntilClosed(5000)).isTrue();
            }
        }
        for (byte[] data : new byte[][] {"n,,\u0001auth=Basic abc\u0001\u0001".getBytes(StandardCharsets.UTF_8),
                TokenAuthMechanism.oauthBearer("not.a.token")}) {
            try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
                raw.send(connect("OAUTHBEARER", data));
                assertThat(raw.readPacket(5000)[2]).isEqualTo(0x86);
            }
        }
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.send(connect("OAUTHBEARER", TokenAuthMechanism.oauthBearer(
                    token("dev-3", "junction.configure:restricted/* junction.write:restricted/*"))));
            assertThat(raw.readPacket(5000)[2]).as("Not authorized").isEqualTo(0x87);
        }
    }

    /** Re-authentication uses the CONNECT's method [MQTT-4.12.1-1]; another is a protocol error (0x82). */
    @Test
    void reauthenticationWithAnotherMethodIsAProtocolError() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.send(connect("JWT", token("dev-4", publishing("x")).getBytes(StandardCharsets.UTF_8)));
            assertThat(raw.readPacket(5000)[2]).isZero();
            raw.send(auth(REAUTH, "OAUTHBEARER", TokenAuthMechanism.oauthBearer(token("dev-4", publishing("x")))));
            raw.expectDisconnect(0x82);
        }
    }
}
