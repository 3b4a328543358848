package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.sun.net.httpserver.HttpServer;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.LogCapture;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JWT verification keys from a JWKS URL (RFC 7517 section 5), served by a small HTTP server in the test whose keys
 * are rotated during the test; and AMQP {@code connection.update-secret} (RabbitMQ's method 10.70) with a token
 * whose scopes differ, which changes what the connection may do from its next operation.
 */
@Timeout(120)
class JwksUrlAndRenewedScopesTest {
    private static final String ALL = "junction.configure:*/* junction.write:*/* junction.read:*/*";
    private static final String SECRET = "test-secret-of-at-least-32-characters!!";

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();
    private final AtomicReference<String> jwks = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer jwksServer;

    @AfterEach
    void stopJwksServer() {
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
    }

    private String serveJwks() throws Exception {
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/jwks", ex -> {
            fetches.incrementAndGet();
            byte[] b = jwks.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        jwksServer.start();
        return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks";
    }

    private void startBroker(String keyLine) throws Exception {
        broker.start(BrokerConfig.standard().withSections("""
                auth:
                  backends: [jwt, internal]
                  jwt:
                    resource_server_id: junction
                    %s
                """.formatted(keyLine)));
    }

    private static String rsaToken(RSAKey key, String scope) throws Exception {
        // A jti of its own: the chain caches an accepted token, so each login here must present a new one.
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("svc").audience("junction").claim("scope", scope)
                .jwtID(java.util.UUID.randomUUID().toString())
                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private Connection amqp(String token) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername("ignored");
        f.setPassword(token);
        return f.newConnection();
    }

    /**
     * RFC 7515 section 4.1.4 ({@code kid}) with a JWKS URL: a key the provider rotated in is fetched on its first
     * use (one fetch), a key rotated out is refused, and unknown key ids cause no further fetch within the rate
     * limit.
     */
    @Test
    void keysRotatedAtTheJwksUrlAreFetchedOnceForAnUnknownKid() throws Exception {
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        jwks.set(new JWKSet(k1.toPublicJWK()).toString());
        startBroker("jwks_url: " + serveJwks() + "\n    jwks_refresh_seconds: 3600");
        amqp(rsaToken(k1, ALL)).close();
        int before = fetches.get();
        jwks.set(new JWKSet(List.of(k2.toPublicJWK())).toString()); // the provider rotates: k1 out, k2 in
        amqp(rsaToken(k2, ALL)).close();
        assertThat(fetches.get()).isEqualTo(before + 1);
        assertThatThrownBy(() -> amqp(rsaToken(k1, ALL))).isInstanceOf(AuthenticationFailureException.class);
        RSAKey madeUp = new RSAKeyGenerator(2048).keyID("k9").generate();
        assertThatThrownBy(() -> amqp(rsaToken(madeUp, ALL))).isInstanceOf(AuthenticationFailureException.class);
        assertThat(fetches.get()).as("unknown key ids within the rate limit fetch nothing").isEqualTo(before + 1);
    }

    /** Fail closed: with the JWKS URL unreachable there are no keys, every token is refused and the log says why. */
    @Test
    void anUnreachableJwksUrlRefusesTokensWithOneLogLine() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        try (LogCapture log = LogCapture.capture()) {
            startBroker("jwks_url: http://127.0.0.1:" + closedPort + "/jwks");
            assertThatThrownBy(() -> amqp(rsaToken(k1, ALL))).isInstanceOf(AuthenticationFailureException.class);
            assertThat(log.await("could not be fetched", 10_000)).isTrue();
        }
        ConnectionFactory guest = new ConnectionFactory();
        guest.setPort(broker.amqpPort());
        guest.newConnection().close(); // the chain goes on to the internal users
    }

    private static String hmacToken(String scope) throws Exception {
        return JwtAuthBackendTest.token("svc", scope, "junction", SECRET, Instant.now().plusSeconds(3600));
    }

    /**
     * RabbitMQ's connection.update-secret, which amqp-client sends from its credentials refresh service (driven by
     * hand here): a renewed token with other scopes is what the connection may do from its next operation on, as
     * RabbitMQ applies it.
     */
    @Test
    void updateSecretWithOtherScopesChangesTheRightsOfTheNextOperation() throws Exception {
        startBroker("hmac_secret: \"" + SECRET + "\"");
        String onlyA = "junction.configure:*/a.* junction.write:*/a.* junction.read:*/a.*";
        String onlyB = "junction.configure:*/b.* junction.write:*/b.* junction.read:*/b.*";
        JwtAuthBackendTest.TokenProvider tokens = new JwtAuthBackendTest.TokenProvider(hmacToken(onlyA));
        JwtAuthBackendTest.ManualRefresh refresh = new JwtAuthBackendTest.ManualRefresh();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setCredentialsProvider(tokens);
        f.setCredentialsRefreshService(refresh);
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("a.q", false, false, true, null);
            assertThatThrownBy(() -> c.createChannel().queueDeclare("b.q", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            tokens.token = hmacToken(onlyB);
            assertThat(refresh.refresh.call()).isTrue(); // connection.update-secret, answered update-secret-ok
            // The open channel's next operation already has the new rights.
            ch.queueDeclare("b.q", false, false, true, null);
            assertThatThrownBy(() -> ch.queueDeclare("a.q2", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            assertThat(c.isOpen()).isTrue();
        }
    }
}
