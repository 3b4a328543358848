package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JWT keys from files (an RSA public key in PEM, a JWKS with an EC key chosen by {@code kid}) and the end of an MQTT
 * 5 connection when its token expires: DISCONNECT 0xA0 Maximum connect time (MQTT 5 section 3.14.2.1).
 */
@Timeout(120)
class JwtKeysAndMqttExpiryTest {
    private static final String ALL = "junction.configure:*/* junction.write:*/* junction.read:*/*";

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();
    private Path keyDir;

    @AfterEach
    void deleteKeys() throws Exception {
        if (keyDir != null) {
            try (var files = Files.list(keyDir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(keyDir);
        }
    }

    private void start(String keyLine) throws Exception {
        broker.start(BrokerConfig.standard().withSections("""
                auth:
                  backends: [jwt, internal]
                  jwt:
                    resource_server_id: junction
                    %s
                """.formatted(keyLine)));
    }

    private static String sign(JWSHeader header, com.nimbusds.jose.JWSSigner signer, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("svc").audience("junction").claim("scope", ALL)
                .expirationTime(Date.from(exp)).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private void amqpLogin(String token) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername("ignored");
        f.setPassword(token);
        f.newConnection().close();
    }

    @Test
    void rsaPublicKeyPemVerifiesTokensSignedWithItsPrivateKeyOnly() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        RSAKey other = new RSAKeyGenerator(2048).generate();
        keyDir = Files.createTempDirectory("junction-jwt");
        Path pem = keyDir.resolve("public.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        start("public_key_file: \"" + pem + "\"");
        Instant exp = Instant.now().plusSeconds(3600);
        amqpLogin(sign(new JWSHeader(JWSAlgorithm.RS256), new RSASSASigner(key), exp));
        assertThatThrownBy(() -> amqpLogin(sign(new JWSHeader(JWSAlgorithm.RS256), new RSASSASigner(other), exp)))
                .isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void jwksFileChoosesTheKeyByKid() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        ECKey unknown = new ECKeyGenerator(Curve.P_256).keyID("k3").generate();
        keyDir = Files.createTempDirectory("junction-jwt");
        Path jwks = keyDir.resolve("keys.jwks");
        Files.writeString(jwks, new JWKSet(java.util.List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
        start("jwks_file: \"" + jwks + "\"");
        Instant exp = Instant.now().plusSeconds(3600);
        amqpLogin(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k2").build(), new ECDSASigner(second), exp));
        assertThatThrownBy(() -> amqpLogin(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k3").build(),
                new ECDSASigner(unknown), exp))).isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void mqtt5ConnectionIsDisconnectedWith0xA0WhenItsTokenExpires() throws Exception {
        start("hmac_secret: \"test-secret-of-at-least-32-characters!!\"");
        String token = JwtAuthBackendTest.token("svc", ALL, "junction", "test-secret-of-at-least-32-characters!!",
                Instant.now().plusSeconds(2));
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5AsyncClient client = Mqtt5Client.builder().identifier("expiring").serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt"))
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause())).buildAsync();
        client.connectWith().simpleAuth().username("svc").password(token.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send().get(30, TimeUnit.SECONDS);
        Throwable cause = disconnected.get(60, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME));
    }
}
