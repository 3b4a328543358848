package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP backend's resource_path and topic_path as RabbitMQ's rabbitmq_auth_backend_http contract defines them:
 * resource_path gets {@code username}, {@code vhost}, {@code resource} ({@code exchange} or {@code queue}),
 * {@code name} and {@code permission} ({@code configure}, {@code write}, {@code read}) for every AMQP 0-9-1
 * operation RabbitMQ checks (declare, bind, publish, consume, get, purge, delete), and for MQTT's implicit
 * resources at CONNECT; topic_path gets {@code resource=topic}, the exchange, the permission and the routing key for
 * publishes and bindings on topic exchanges. Answers {@code allow} / {@code deny}; no answer refuses (fail closed).
 */
@Timeout(120)
class HttpResourcePathTest {
    private final AuthService service;
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    HttpResourcePathTest() throws Exception {
        service = new AuthService()
                .on("/auth/user", p -> p.get("password").equals("secret") ? "allow" : "deny")
                .on("/auth/vhost", p -> "allow")
                .on("/auth/resource", HttpResourcePathTest::resource)
                .on("/auth/topic", p -> p.get("routing_key").startsWith("devices." + p.get("username") + ".")
                        ? "allow" : "deny")
                .start();
    }

    /**
     * The service's rules: exchanges amq.topic and amq.default may be written and read, dev.* anything; queues dev.*
     * and server-named ones anything, MQTT session queues anything but the client "nosub"'s; names slow.* and
     * *.slow are never answered in time.
     */
    private static String resource(Map<String, String> p) {
        String name = p.get("name");
        if (name.startsWith("slow.") || name.endsWith(".slow")) {
            return null;
        }
        boolean allow = p.get("resource").equals("exchange")
                ? name.startsWith("dev.") || (name.equals("amq.topic") || name.equals("amq.default"))
                        && !p.get("permission").equals("configure")
                : name.startsWith("dev.") || name.startsWith("amq.gen-")
                        || name.startsWith("mqtt.session.") && !name.equals("mqtt.session.nosub");
        return allow ? "allow" : "deny";
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    private void startBroker(int timeoutMs, int cacheTtlSeconds) throws Exception {
        String base = service.base();
        broker.start(BrokerConfig.standard().withSections("""
                auth:
                  backends: [internal, http]
                  cache_ttl_seconds: %d
                  http:
                    user_path: %s/auth/user
                    vhost_path: %s/auth/vhost
                    resource_path: %s/auth/resource
                    topic_path: %s/auth/topic
                    timeout_ms: %d
                """.formatted(cacheTtlSeconds, base, base, base, base, timeoutMs)));
    }

    private Connection amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername("device1");
        f.setPassword("secret");
        return f.newConnection();
    }

    private boolean asked(String resource, String name, String permission) {
        return service.to("/auth/resource").stream().anyMatch(p -> p.get("username").equals("device1")
                && p.get("vhost").equals("/") && p.get("resource").equals(resource) && p.get("name").equals(name)
                && p.get("permission").equals(permission));
    }

    /** RabbitMQ HTTP backend contract, resource_path: each AMQP operation asks the rights RabbitMQ checks for it. */
    @Test
    void amqpOperationsAreDecidedAtResourcePath() throws Exception {
        startBroker(5000, 60);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.queueDeclare("dev.q", false, false, false, null);
            ch.queueBind("dev.q", "amq.topic", "devices.device1.#");
            ch.basicPublish("amq.topic", "devices.device1.t", null, "x".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            assertThat(ch.basicGet("dev.q", true)).isNotNull();
            ch.basicPublish("", "dev.q", null, new byte[1]);
            ch.waitForConfirmsOrDie(10_000);
            assertThat(ch.queuePurge("dev.q").getMessageCount()).isEqualTo(1);
            String named = ch.queueDeclare().getQueue(); // server-named: asked about by its generated name
            ch.queueDelete("dev.q");
            assertThat(asked("queue", "dev.q", "configure")).isTrue();
            assertThat(asked("queue", "dev.q", "write")).isTrue();  // queue.bind
            assertThat(asked("exchange", "amq.topic", "read")).isTrue();  // queue.bind
            assertThat(asked("exchange", "amq.topic", "write")).isTrue();  // basic.publish
            assertThat(asked("exchange", "amq.default", "write")).isTrue();  // basic.publish to ""
            assertThat(asked("queue", "dev.q", "read")).isTrue();  // basic.get, queue.purge
            assertThat(named).startsWith("amq.gen-");
            assertThat(service.to("/auth/resource")).anySatisfy(p -> assertThat(p.get("name")).startsWith("amq.gen-"));
            // Denied: channel error 403 ACCESS_REFUSED [AMQP 0-9-1 access-refused], the connection lives on.
            Channel other = c.createChannel();
            assertThatThrownBy(() -> other.queueDeclare("other.q", false, false, false, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            assertThat(asked("queue", "other.q", "configure")).isTrue();
            Channel third = c.createChannel();
            assertThatThrownBy(() -> third.exchangeDeclare("x.other", "topic"))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            assertThat(c.isOpen()).isTrue();
        }
    }

    /**
     * A server-named queue is asked about by the name it gets, in every question of its queue.declare (configure;
     * with a dead-letter exchange read too), though the declare waits for each answer and is handled again after it.
     */
    @Test
    void aServerNamedQueueIsAskedAboutByTheNameItGets() throws Exception {
        startBroker(5000, 60);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            String first = ch.queueDeclare().getQueue();
            String second = ch.queueDeclare("", false, true, true, Map.of("x-dead-letter-exchange", "dev.dlx"))
                    .getQueue();
            assertThat(asked("queue", first, "configure")).isTrue();
            assertThat(asked("queue", second, "configure")).isTrue();
            assertThat(asked("queue", second, "read")).isTrue();
            assertThat(asked("exchange", "dev.dlx", "write")).isTrue();
            assertThat(service.to("/auth/resource")).filteredOn(p -> p.get("name").startsWith("amq.gen-"))
                    .as("no question about a name no queue got").allSatisfy(p -> assertThat(p.get("name"))
                            .isIn(first, second));
        }
    }

    /** Answers are kept per user and question for auth.cache_ttl_seconds: an operation repeated asks nothing. */
    @Test
    void answersAreKeptForTheCacheTtl() throws Exception {
        startBroker(5000, 60);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("dev.cached", false, false, true, null);
            int asked = service.to("/auth/resource").size();
            ch.queueDeclare("dev.cached", false, false, true, null);
            assertThat(service.to("/auth/resource")).hasSize(asked);
        }
    }

    /** Fail closed: an operation the service does not answer within timeout_ms, or at all, is refused. */
    @Test
    void noAnswerRefusesTheOperationAndTheConnectionGoesOn() throws Exception {
        startBroker(300, 0);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> ch.queueDeclare("slow.q", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            c.createChannel().queueDeclare("dev.after", false, false, true, null);
            service.close(); // the service goes down: nothing is kept (TTL 0), so the next operation is refused
            Channel later = c.createChannel();
            assertThatThrownBy(() -> later.queueDeclare("dev.after", false, false, true, null))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            assertThat(c.isOpen()).isTrue();
        }
    }

    /**
     * RabbitMQ's topic authorisation over AMQP 0-9-1 through topic_path: a publish to a topic exchange asks
     * {@code resource=topic}, {@code permission=write} and its routing key; a denied key is 403 ACCESS_REFUSED.
     */
    @Test
    void amqpPublishesToTopicExchangesAreDecidedAtTopicPath() throws Exception {
        startBroker(5000, 60);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("amq.topic", "devices.device1.ok", null, new byte[1]);
            ch.waitForConfirmsOrDie(10_000);
            ch.basicPublish("amq.topic", "devices.device2.t", null, new byte[1]);
            assertThatThrownBy(() -> ch.waitForConfirmsOrDie(10_000)).hasStackTraceContaining("ACCESS_REFUSED");
        }
        assertThat(service.to("/auth/topic")).anySatisfy(p -> assertThat(p).containsEntry("username", "device1")
                .containsEntry("vhost", "/").containsEntry("resource", "topic").containsEntry("name", "amq.topic")
                .containsEntry("permission", "write").containsEntry("routing_key", "devices.device2.t")
                .containsEntry("variable_map.username", "device1"));
    }

    /**
     * MQTT's implicit resources at resource_path, asked at CONNECT as RabbitMQ's MQTT plugin checks them: write on
     * the MQTT exchange for PUBLISH; read on it and configure, write and read on the session queue for SUBSCRIBE. A
     * refused subscription is SUBACK 0x87 Not authorized (MQTT 5 section 3.9.3).
     */
    @Test
    void mqttImplicitResourcesAreDecidedAtResourcePath() throws Exception {
        startBroker(5000, 60);
        Mqtt5BlockingClient d1 = mqtt("d1");
        d1.subscribeWith().topicFilter("devices/device1/#").send();
        d1.publishWith().topic("devices/device1/t").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
        d1.disconnect();
        assertThat(asked("queue", "mqtt.session.d1", "configure")).isTrue();
        assertThat(asked("exchange", "amq.topic", "write")).isTrue();
        Mqtt5BlockingClient denied = mqtt("nosub");
        try {
            assertThatThrownBy(() -> denied.subscribeWith().topicFilter("devices/device1/#").send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        } finally {
            denied.disconnect();
        }
    }

    /** Fail closed: an MQTT CONNECT whose implicit resources the service does not answer is refused, not cached. */
    @Test
    void anMqttConnectWhoseResourcesGoUnansweredIsRefused() throws Exception {
        startBroker(300, 60);
        assertThatThrownBy(() -> mqtt("d.slow"))
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        int asked = service.to("/auth/user").size();
        assertThatThrownBy(() -> mqtt("d.slow")).isInstanceOf(Mqtt5ConnAckException.class);
        assertThat(service.to("/auth/user")).as("the refusal was not cached").hasSizeGreaterThan(asked);
        mqtt("d2").disconnect(); // the service still answers for other clients
    }

    private Mqtt5BlockingClient mqtt(String clientId) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        client.connectWith().simpleAuth().username("device1").password("secret".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        return client;
    }
}
