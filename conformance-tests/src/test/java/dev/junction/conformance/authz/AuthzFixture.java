package dev.junction.conformance.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * A broker with users whose rights differ, for the authorization tests, and factories for stock clients that are
 * all closed before the broker stops. A {@link ConformanceBroker}: register it with {@code @RegisterExtension}.
 *
 * <ul>
 *   <li>{@code guest}: administrator, no ACL (publishes the test messages).</li>
 *   <li>{@code dev}: {@code deny secret/#}, {@code allow #} (the ACL of the report that found wildcard bypasses).</li>
 *   <li>{@code narrow}: may subscribe to {@code a/b} only and publish to {@code x/#} only.</li>
 *   <li>{@code own}: {@code users/%u/#} and {@code clients/%c/#}, nothing else.</li>
 *   <li>{@code mq}, {@code eve}: full vhost rights, no ACL, not administrators.</li>
 *   <li>{@code tp}: RabbitMQ topic permissions on {@code amq.topic}: write {@code ^tp\.{username}\.}, read
 *       {@code ^tp\.}.</li>
 *   <li>{@code keyless}: {@code deny devices/%c/keys}, {@code allow #} (a device may not read its own keys).</li>
 * </ul>
 */
final class AuthzFixture extends ConformanceBroker {
    static final String USERS = """
              - name: dev
                password: dev
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: deny, topic: "secret/#" }
                  - { permission: allow, topic: "#" }
              - name: narrow
                password: narrow
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, action: subscribe, topic: "a/b" }
                  - { permission: allow, action: publish, topic: "x/#" }
              - name: own
                password: own
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, topic: "users/%u/#" }
                  - { permission: allow, topic: "clients/%c/#" }
              - name: mq
                password: mq
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
              - name: eve
                password: eve
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
              - name: tp
                password: tp
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                topic_permissions:
                  "/":
                    - { exchange: amq.topic, write: "^tp\\\\.{username}\\\\.", read: "^tp\\\\." }
              - name: keyless
                password: keyless
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: deny, topic: "devices/%c/keys" }
                  - { permission: allow, topic: "#" }
            """;
    static final String MQTT = """
              allow_anonymous: false
              max_session_expiry_seconds: 3600
            """;

    private AuthzFixture() {
        super(Lifecycle.PER_CLASS, brokerConfig());
    }

    /** One broker for the test class; register it in a static field with {@code @RegisterExtension}. */
    public static AuthzFixture perClass() {
        return new AuthzFixture();
    }

    /** The base configuration with these users and the {@link #MQTT} section. */
    static BrokerConfig brokerConfig() {
        return BrokerConfig.standard().withUsers(USERS).withMqtt(MQTT);
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
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(port("mqtt")).buildBlocking();
        closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    Mqtt3BlockingClient v3(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(port("mqtt")).buildBlocking();
        closeBeforeStop(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** An MQTT 5 client of {@code user} (password = user name), clean start, session ending with it. */
    Mqtt5BlockingClient connected5(String user, String clientId) {
        Mqtt5BlockingClient c = v5(clientId);
        c.connectWith().simpleAuth().username(user).password(utf8(user)).applySimpleAuth().cleanStart(true).send();
        return c;
    }

    Mqtt3BlockingClient connected3(String user, String clientId) {
        Mqtt3BlockingClient c = v3(clientId);
        c.connectWith().simpleAuth().username(user).password(utf8(user)).applySimpleAuth().cleanSession(true).send();
        return c;
    }

    /** An AMQP connection of {@code user} to vhost "/". */
    Connection amqp(String user) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(amqpPort());
        f.setUsername(user);
        f.setPassword(user.equals("guest") ? "guest" : user);
        f.setVirtualHost("/");
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setChannelRpcTimeout(5000);
        f.setShutdownTimeout(1000);
        Connection c = f.newConnection();
        closeBeforeStop(() -> {
            if (c.isOpen()) {
                c.close();
            }
        });
        return c;
    }

    /** The next message's payload, failing when none arrives within ten seconds. */
    static String next(Mqtt5BlockingClient.Mqtt5Publishes in) throws InterruptedException {
        Optional<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> p = in.receive(10, TimeUnit.SECONDS);
        return text(p.orElseThrow(() -> new AssertionError("no message arrived")).getPayloadAsBytes());
    }

    /** Waits (up to ten seconds) for a condition that a server action brings about. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Asserts that {@code action} on a fresh channel ends in channel.close 403 ACCESS_REFUSED. */
    static void refused(Connection c, String what, ThrowingConsumer<Channel> action) throws Exception {
        Channel ch = c.createChannel();
        assertThatThrownBy(() -> action.accept(ch)).as(what).satisfies(t -> {
            AMQP.Channel.Close close = (AMQP.Channel.Close) closedBy(t).getReason();
            assertThat(close.getReplyCode()).as(close.getReplyText()).isEqualTo(403);
        });
    }

    private static ShutdownSignalException closedBy(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ShutdownSignalException sse) {
                return sse;
            }
        }
        throw new AssertionError("expected a channel close, got " + t, t);
    }
}
