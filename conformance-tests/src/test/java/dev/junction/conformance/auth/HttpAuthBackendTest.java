package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP auth backend against a small service in the test that answers as RabbitMQ's rabbitmq_auth_backend_http
 * contract says: user_path gets {@code username} and {@code password} and answers {@code allow [tags]} or
 * {@code deny}; vhost_path gets {@code username}, {@code vhost} and {@code ip} and answers {@code allow} or
 * {@code deny}. Failures (timeout, a service that is down) refuse the login (fail closed). Stock clients only.
 */
@Timeout(120)
class HttpAuthBackendTest {
    private static final String RIGHTS_USER = """
              - name: device-rights
                password: "template-only-9f2c41d7b8e6a3"
                permissions:
                  "/": { configure: "^(dev\\\\.|mqtt\\\\.)", write: "^(dev\\\\.|mqtt\\\\.|amq\\\\.topic$)", read: "^(dev\\\\.|mqtt\\\\.|amq\\\\.topic$)" }
                  "restricted": { configure: ".*", write: ".*", read: ".*" }
            """;

    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer service;
    private ExecutorService serviceThreads;
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @AfterEach
    void stopService() {
        release.countDown();
        if (service != null) {
            service.stop(0);
            serviceThreads.shutdownNow();
        }
    }

    /** The service: device1/secret allowed (admin1/secret with a tag), "slow" never answered in time. */
    private String startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serviceThreads = Executors.newCachedThreadPool();
        service.setExecutor(serviceThreads);
        service.createContext("/auth/user", ex -> {
            Map<String, String> p = AuthService.params(ex);
            requests.add(p);
            String user = p.getOrDefault("username", "");
            if (user.equals("slow")) {
                await();
            }
            boolean ok = p.getOrDefault("password", "").equals("secret");
            answer(ex, !ok ? "deny" : user.equals("admin1") ? "allow administrator management" : "allow");
        });
        service.createContext("/auth/vhost", ex -> {
            Map<String, String> p = AuthService.params(ex);
            requests.add(p);
            // "novhost" may log in but use no vhost; others only "/".
            answer(ex, !p.get("username").equals("novhost") && p.get("vhost").equals("/") ? "allow" : "deny");
        });
        service.createContext("/auth/topic", ex -> {
            Map<String, String> p = AuthService.params(ex);
            requests.add(p);
            // Each user may publish and subscribe under devices.<user>. only (the AMQP form of devices/<user>/...).
            String own = "devices." + p.get("username") + ".";
            answer(ex, p.getOrDefault("routing_key", "").startsWith(own) ? "allow" : "deny");
        });
        service.start();
        return "http://127.0.0.1:" + service.getAddress().getPort();
    }

    private void await() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private void startBroker(String base, String method, int timeoutMs) throws Exception {
        broker.start(BrokerConfig.standard().withUsers(RIGHTS_USER).withSections("""
                auth:
                  backends: [internal, http]
                  cache_ttl_seconds: 60
                  http:
                    method: %s
                    user_path: %s/auth/user
                    vhost_path: %s/auth/vhost
                    topic_path: %s/auth/topic
                    timeout_ms: %d
                    rights_from: device-rights
                """.formatted(method, base, base, base, timeoutMs)));
    }

    private Connection amqp(String user, String password, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        return f.newConnection();
    }

    private Mqtt5BlockingClient mqtt(String clientId) {
        return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
    }

    private double results(String backend, String result) {
        Counter c = broker.broker().registry().find("junction.auth.backend.results").tag("backend", backend)
                .tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void amqpLoginAllowedByTheServiceGetsTheRightsOfRightsFrom() throws Exception {
        startBroker(startService(), "get", 5000);
        try (Connection c = amqp("device1", "secret", "/")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("dev.q", false, false, true, null); // allowed by device-rights' configure
            assertThatThrownBy(() -> ch.queueDeclare("other.q", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
        }
        // RabbitMQ's parameters, by GET.
        assertThat(requests).anySatisfy(p -> assertThat(p).containsEntry("method", "GET")
                .containsEntry("path", "/auth/user").containsEntry("username", "device1")
                .containsEntry("password", "secret"));
        assertThat(requests).anySatisfy(p -> assertThat(p).containsEntry("path", "/auth/vhost")
                .containsEntry("username", "device1").containsEntry("vhost", "/").containsEntry("ip", "127.0.0.1"));
        assertThat(results("http", "allow")).isEqualTo(1);
    }

    @Test
    void serviceDenyRefusesTheLoginWithAccessRefused() throws Exception {
        startBroker(startService(), "post", 5000);
        // AMQP: 403 ACCESS_REFUSED on start-ok (authentication_failure_close capability of amqp-client).
        assertThatThrownBy(() -> amqp("device1", "wrong", "/")).isInstanceOf(AuthenticationFailureException.class);
        // MQTT 5: CONNACK 0x86 Bad user name or password.
        assertThatThrownBy(() -> mqtt("d1").connectWith().simpleAuth().username("device1")
                .password("wrong".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        assertThat(requests).allSatisfy(p -> assertThat(p).containsEntry("method", "POST"));
        assertThat(results("http", "deny")).isEqualTo(2);
    }

    @Test
    void mqttConnectAllowedByTheServiceAndTagsAreTaken() throws Exception {
        startBroker(startService(), "get", 5000);
        Mqtt5BlockingClient client = mqtt("d1");
        client.connectWith().simpleAuth().username("device1").password("secret".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        client.disconnect();
        // "allow administrator management": the tags are the user's (an administrator may delete any MQTT session).
        try (Connection c = amqp("admin1", "secret", "/")) {
            c.createChannel().queueDelete("mqtt.session.d1");
        }
    }

    @Test
    void vhostDeniedByVhostPathRefusesConnectionOpenAndMqttConnect() throws Exception {
        startBroker(startService(), "get", 5000);
        // connection.open of a vhost the service denies: 530 NOT_ALLOWED [AMQP 0-9-1 connection.open].
        assertThatThrownBy(() -> amqp("novhost", "secret", "/")).hasStackTraceContaining("NOT_ALLOWED");
        // The vhost_path said no to "restricted" for everyone, though device-rights has it.
        assertThatThrownBy(() -> amqp("device1", "secret", "restricted")).hasStackTraceContaining("NOT_ALLOWED");
        assertThatThrownBy(() -> mqtt("nv").connectWith().simpleAuth().username("novhost")
                .password("secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }

    @Test
    void serviceTooSlowRefusesTheLoginAndCountsAnError() throws Exception {
        startBroker(startService(), "get", 300);
        assertThatThrownBy(() -> amqp("slow", "secret", "/")).isInstanceOf(AuthenticationFailureException.class);
        assertThat(results("http", "error")).isEqualTo(1);
        // Internal users still log in: the chain goes on without the service.
        amqp("guest", "guest", "/").close();
    }

    @Test
    void serviceDownRefusesLoginsOnBothProtocols() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        startBroker("http://127.0.0.1:" + closedPort, "get", 5000);
        assertThatThrownBy(() -> amqp("device1", "secret", "/")).isInstanceOf(AuthenticationFailureException.class);
        assertThatThrownBy(() -> mqtt("d1").connectWith().simpleAuth().username("device1")
                .password("secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOf(Mqtt5ConnAckException.class);
        assertThat(results("http", "error")).isEqualTo(2);
    }

    @Test
    void decisionsAreCachedSoTheServiceIsAskedOncePerCredentials() throws Exception {
        startBroker(startService(), "get", 5000);
        amqp("device1", "secret", "/").close();
        int asked = requests.size();
        amqp("device1", "secret", "/").close();
        assertThat(requests).hasSize(asked);
        assertThatThrownBy(() -> amqp("device1", "other", "/")).isInstanceOf(AuthenticationFailureException.class);
        assertThat(requests).hasSize(asked + 1); // other credentials are not answered from the cache
        Counter hits = broker.broker().registry().find("junction.auth.cache").tag("result", "hit").counter();
        assertThat(hits.count()).isEqualTo(1);
    }

    /**
     * MQTT publishes and subscriptions are asked at topic_path as RabbitMQ's MQTT plugin asks them: resource
     * {@code topic}, name the MQTT exchange, permission write (publish) or read (subscribe), the routing key in AMQP
     * form ({@code devices/device1/t} is {@code devices.device1.t}) and {@code variable_map.client_id}. A denied
     * publish gets PUBACK 0x87, a denied subscription SUBACK 0x87 (MQTT 5 sections 3.4.2.1, 3.9.3), a will on a
     * denied topic CONNACK 0x87.
     */
    @Test
    void mqttTopicRightsAreAskedAtTopicPath() throws Exception {
        startBroker(startService(), "get", 5000);
        Mqtt5BlockingClient client = mqtt("d1");
        client.connectWith().simpleAuth().username("device1").password("secret".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        try {
            client.publishWith().topic("devices/device1/t").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            assertThatThrownBy(() -> client.publishWith().topic("devices/device2/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[1]).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            Mqtt5SubAck ack = client.subscribeWith().addSubscription().topicFilter("devices/device1/#").applySubscription()
                    .addSubscription().topicFilter("devices/#").applySubscription().send();
            assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2,
                    Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        } catch (Mqtt5SubAckException e) {
            assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2,
                    Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        } finally {
            client.disconnect();
        }
        assertThat(requests).anySatisfy(p -> assertThat(p).containsEntry("path", "/auth/topic")
                .containsEntry("username", "device1").containsEntry("vhost", "/").containsEntry("resource", "topic")
                .containsEntry("name", "amq.topic").containsEntry("permission", "write")
                .containsEntry("routing_key", "devices.device1.t").containsEntry("variable_map.client_id", "d1"));
        assertThat(requests).anySatisfy(p -> assertThat(p).containsEntry("path", "/auth/topic")
                .containsEntry("permission", "read").containsEntry("routing_key", "devices.#"));
        // A will on a topic the service denies refuses the CONNECT.
        assertThatThrownBy(() -> mqtt("d2").connectWith().simpleAuth().username("device1")
                .password("secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .willPublish().topic("devices/device2/status").payload(new byte[1]).applyWillPublish().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }
}
