package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import com.rabbitmq.client.impl.CredentialsProvider;
import com.rabbitmq.client.impl.CredentialsRefreshService;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JWT access tokens as the password (RabbitMQ's OAuth 2.0 backend): tokens signed in the test with HS256; exp, aud
 * and the signature checked; RabbitMQ's scope format ({@code <resource_server_id>.read:<vhost>/<resource>[/<key>]})
 * limiting vhosts, resources and topics; the connection ends when the token expires and AMQP
 * {@code connection.update-secret} renews it.
 */
@Timeout(120)
class JwtAuthBackendTest {
    private static final String SECRET = "test-secret-of-at-least-32-characters!!";
    private static final String ALL = "junction.configure:*/* junction.write:*/* junction.read:*/*";

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(BrokerConfig.standard().withSections("""
            auth:
              backends: [internal, jwt]
              jwt:
                resource_server_id: junction
                issuer: https://issuer.test
                hmac_secret: "%s"
            """.formatted(SECRET)));

    static String token(String sub, String scope, String aud, String secret, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(sub).issuer("https://issuer.test").audience(aud)
                .claim("scope", scope).expirationTime(Date.from(exp)).issueTime(new Date()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static String token(String sub, String scope) throws Exception {
        return token(sub, scope, "junction", SECRET, Instant.now().plusSeconds(3600));
    }

    private Connection amqp(String token, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername("ignored"); // RabbitMQ ignores the user name with a token; so does Junction
        f.setPassword(token);
        f.setVirtualHost(vhost);
        return f.newConnection();
    }

    @Test
    void validTokenLogsInOverAmqpAndMqttAsItsSubject() throws Exception {
        try (Connection c = amqp(token("svc-1", ALL), "/")) {
            c.createChannel().queueDeclare("jwt.q", false, false, true, null);
        }
        Mqtt5BlockingClient m = Mqtt5Client.builder().identifier("jwt-1").serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        m.connectWith().simpleAuth().username("svc-1").password(token("svc-1", ALL).getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        m.disconnect();
    }

    @Test
    void expiredWrongAudienceAndWrongKeyTokensAreRefused() throws Exception {
        String expired = token("svc-1", ALL, "junction", SECRET, Instant.now().minusSeconds(60));
        String otherAudience = token("svc-1", ALL, "someone-else", SECRET, Instant.now().plusSeconds(3600));
        String otherKey = token("svc-1", ALL, "junction", "another-secret-of-at-least-32-characters",
                Instant.now().plusSeconds(3600));
        for (String t : new String[] {expired, otherAudience, otherKey}) {
            assertThatThrownBy(() -> amqp(t, "/")).isInstanceOf(AuthenticationFailureException.class);
        }
    }

    @Test
    void scopesLimitVhostsAndResources() throws Exception {
        String token = token("svc-2", "junction.configure:restricted/own.* junction.read:restricted/own.*"
                + " junction.write:restricted/own.* other-server.configure:*/*");
        // No scope for "/": connection.open refused (530 NOT_ALLOWED); the other server's scope grants nothing.
        assertThatThrownBy(() -> amqp(token, "/")).hasStackTraceContaining("NOT_ALLOWED");
        try (Connection c = amqp(token, "restricted")) {
            var ch = c.createChannel();
            ch.queueDeclare("own.q", false, false, true, null);
            assertThatThrownBy(() -> ch.queueDeclare("else.q", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
        }
    }

    @Test
    void routingKeyScopesLimitMqttTopics() throws Exception {
        // The MQTT exchange is amq.topic; MQTT topic devices/d1/x is the routing key devices.d1.x.
        String token = token("dev-d1", "junction.configure:*/mqtt.* junction.write:*/mqtt.* junction.read:*/mqtt.*"
                + " junction.write:*/amq.topic/devices.d1.* junction.read:*/amq.topic/*");
        Mqtt5BlockingClient m = Mqtt5Client.builder().identifier("jwt-d1").serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        m.connectWith().simpleAuth().username("dev-d1").password(token.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        try {
            var own = m.publishWith().topic("devices/d1/temp").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            assertThat(own.getError()).isEmpty();
            // Not allowed by the write scope's routing key: PUBACK 0x87 Not authorized (MQTT 5 section 3.4.2.1).
            assertThatThrownBy(() -> m.publishWith().topic("devices/d2/temp").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[1]).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        } finally {
            m.disconnect();
        }
    }

    /**
     * RabbitMQ's OAuth 2.0 plugin expands variables in scopes: {@code {vhost}}, the vhost being used, and the token's
     * string claims such as {@code {sub}}; so one scope list gives each subject its own queues.
     */
    @Test
    void scopeVariablesAreFilledInWithTheVhostAndTheTokensClaims() throws Exception {
        String scope = "junction.configure:{vhost}/q-{sub}-* junction.read:*/q-{sub}-{vhost}";
        try (Connection c = amqp(token("alice", scope), "restricted")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("q-alice-restricted", false, false, true, null);
            ch.queuePurge("q-alice-restricted");
            ch.queueDeclare("q-alice-1", false, false, true, null);
            assertThatThrownBy(() -> ch.queuePurge("q-alice-1")).as("read is for q-alice-restricted only")
                    .hasStackTraceContaining("ACCESS_REFUSED");
            assertThatThrownBy(() -> c.createChannel().queueDeclare("q-bob-1", false, false, true, null))
                    .as("another subject's queue").hasStackTraceContaining("ACCESS_REFUSED");
        }
    }

    @Test
    void anExpiringTokenEndsTheAmqpConnectionWithAccessRefused() throws Exception {
        Connection c = amqp(token("svc-3", ALL, "junction", SECRET, Instant.now().plusSeconds(2)), "/");
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        c.addShutdownListener(closed::complete);
        ShutdownSignalException e = closed.get(60, TimeUnit.SECONDS);
        assertThat(e.isInitiatedByApplication()).isFalse();
        assertThat(e.getMessage()).contains("403").contains("expired");
    }

    /**
     * amqp-client sends connection.update-secret from its credentials refresh service; this one hands the refresh
     * action to the test instead of running it on a timer.
     */
    static final class ManualRefresh implements CredentialsRefreshService {
        volatile Callable<Boolean> refresh;

        @Override
        public String register(CredentialsProvider provider, Callable<Boolean> action) {
            refresh = action;
            return "manual";
        }

        @Override
        public void unregister(CredentialsProvider provider, String id) {
        }

        @Override
        public boolean isApproachingExpiration(Duration timeBeforeExpiration) {
            return false;
        }
    }

    static final class TokenProvider implements CredentialsProvider {
        volatile String token;

        TokenProvider(String token) {
            this.token = token;
        }

        @Override
        public String getUsername() {
            return "ignored";
        }

        @Override
        public String getPassword() {
            return token;
        }

        @Override
        public Duration getTimeBeforeExpiration() {
            return Duration.ofSeconds(1);
        }
    }

    @Test
    void updateSecretRenewsTheTokenAndRefusesAnotherSubject() throws Exception {
        Instant soon = Instant.now().plusSeconds(2);
        TokenProvider tokens = new TokenProvider(token("svc-4", ALL, "junction", SECRET, soon));
        ManualRefresh refresh = new ManualRefresh();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setCredentialsProvider(tokens);
        f.setCredentialsRefreshService(refresh);
        Connection c = f.newConnection();
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        c.addShutdownListener(closed::complete);
        tokens.token = token("svc-4", ALL);
        assertThat(refresh.refresh.call()).isTrue(); // connection.update-secret, answered update-secret-ok
        // Past the first token's expiry the connection still works: the expiry was replaced by the new token's.
        while (Instant.now().isBefore(soon.plusSeconds(1))) {
            Thread.sleep(200);
        }
        c.createChannel().queueDeclare("renewed.q", false, false, true, null);
        assertThat(c.isOpen()).isTrue();
        // A token naming someone else is refused and closes the connection (403).
        tokens.token = token("intruder", ALL);
        try {
            refresh.refresh.call();
        } catch (Exception expected) {
            // the connection closes while the client waits for update-secret-ok
        }
        assertThat(closed.get(60, TimeUnit.SECONDS).getMessage()).contains("403");
    }
}
