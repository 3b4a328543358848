package dev.junction.conformance.authz;

import static dev.junction.conformance.authz.AuthzFixture.await;
import static dev.junction.conformance.authz.AuthzFixture.id;
import static dev.junction.conformance.authz.AuthzFixture.next;
import static dev.junction.conformance.authz.AuthzFixture.refused;
import static dev.junction.conformance.authz.AuthzFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent session belongs to the user who created it: another user presenting its client id is refused
 * (CONNACK 0x87 on MQTT 5, 0x05 on 3.1.1) and the session, its queued messages and its live connection are left
 * alone; the same user takes it over as [MQTT-3.1.4-2] says. Over AMQP its queue is the owner's and the
 * administrators' only, and an administrator deleting it ends the session.
 */
class MqttSessionOwnershipTest {
    @RegisterExtension
    static final AuthzFixture fx = AuthzFixture.perClass();

    private static Mqtt5ConnAck persistent(Mqtt5BlockingClient c, String user) {
        return c.connectWith().simpleAuth().username(user).password(utf8(user)).applySimpleAuth().cleanStart(false)
                .sessionExpiryInterval(3600).send();
    }

    private static void publish(String topic, String body) {
        Mqtt5BlockingClient g = fx.connected5("guest", id("pub"));
        g.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(body)).send();
        g.disconnect();
    }

    private static void assertRefused5(String user, String clientId, boolean cleanStart) {
        Mqtt5BlockingClient other = fx.v5(clientId);
        assertThatThrownBy(() -> other.connectWith().simpleAuth().username(user).password(utf8(user))
                .applySimpleAuth().cleanStart(cleanStart).sessionExpiryInterval(3600).send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }

    private static void assertRefused3(String user, String clientId) {
        Mqtt3BlockingClient other = fx.v3(clientId);
        assertThatThrownBy(() -> other.connectWith().simpleAuth().username(user).password(utf8(user))
                .applySimpleAuth().cleanSession(false).send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
    }

    @Test
    void anotherUserCannotResumeAStoredSessionAndItsQueuedMessagesStayWithTheOwner() throws Exception {
        String victim = id("victim");
        Mqtt5BlockingClient owner = fx.v5(victim);
        persistent(owner, "mq");
        owner.subscribeWith().topicFilter("victim/" + victim).qos(MqttQos.AT_LEAST_ONCE).send();
        owner.disconnect();
        publish("victim/" + victim, "queued");

        assertRefused5("eve", victim, false);
        assertRefused5("dev", victim, true); // clean start would end the owner's session: refused as well
        assertRefused3("eve", victim);

        Mqtt5BlockingClient back = fx.v5(victim);
        try (Mqtt5BlockingClient.Mqtt5Publishes in = back.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(persistent(back, "mq").isSessionPresent()).isTrue();
            assertThat(next(in)).isEqualTo("queued");
        }
    }

    @Test
    void theOwnerIsStoredWithTheSessionAndSurvivesARestart(@TempDir Path dir) throws Exception {
        String yaml = AuthzFixture.brokerConfig().yaml(dir.resolve("data"));
        String victim = id("restart");
        Broker first = Broker.start(ConfigLoader.parse(yaml, "test.yaml"));
        try {
            Mqtt5BlockingClient owner = client(first, victim);
            persistent(owner, "mq");
            owner.subscribeWith().topicFilter("r/" + victim).qos(MqttQos.AT_LEAST_ONCE).send();
            owner.disconnect();
        } finally {
            first.close();
        }
        Broker second = Broker.start(ConfigLoader.parse(yaml, "test.yaml"));
        try {
            Mqtt5BlockingClient thief = client(second, victim);
            assertThatThrownBy(() -> persistent(thief, "eve"))
                    .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
            Mqtt5BlockingClient back = client(second, victim);
            assertThat(persistent(back, "mq").isSessionPresent()).isTrue();
            back.disconnect();
        } finally {
            second.close();
        }
    }

    private static Mqtt5BlockingClient client(Broker broker, String clientId) {
        return com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.address("mqtt").getPort()).buildBlocking();
    }

    @Test
    void anotherUserCannotKickTheLiveConnectionButTheSameUserTakesOver() throws Exception {
        String victim = id("live");
        Mqtt5BlockingClient owner = fx.v5(victim);
        persistent(owner, "mq");
        try (Mqtt5BlockingClient.Mqtt5Publishes in = owner.publishes(MqttGlobalPublishFilter.ALL)) {
            owner.subscribeWith().topicFilter("live/" + victim).qos(MqttQos.AT_LEAST_ONCE).send();
            assertRefused5("eve", victim, false);
            assertRefused3("dev", victim);
            // Untouched: still connected, still subscribed.
            publish("live/" + victim, "still mine");
            assertThat(next(in)).isEqualTo("still mine");
            assertThat(owner.getState().isConnected()).isTrue();
        }
        // The same user takes over [MQTT-3.1.4-2]: the old connection is closed, the session carries on.
        Mqtt5BlockingClient again = fx.v5(victim);
        assertThat(persistent(again, "mq").isSessionPresent()).isTrue();
        await("the first connection to be taken over", () -> !owner.getState().isConnected());
    }

    @Test
    void anMqttSessionQueueIsUsableOverAmqpOnlyByItsOwnerAndAdministrators() throws Exception {
        String victim = id("q");
        String queue = "mqtt.session." + victim;
        Mqtt5BlockingClient owner = fx.v5(victim);
        persistent(owner, "mq");
        owner.subscribeWith().topicFilter("q/" + victim).qos(MqttQos.AT_LEAST_ONCE).send();
        owner.disconnect();
        publish("q/" + victim, "m1");
        publish("q/" + victim, "m2");

        // eve has read/write/configure ".*" in the vhost (RabbitMQ permissions alone would let her in).
        Connection eve = fx.amqp("eve");
        refused(eve, "basic.get", ch -> ch.basicGet(queue, true));
        refused(eve, "basic.consume", ch -> ch.basicConsume(queue, true, (tag, d) -> { }, tag -> { }));
        refused(eve, "queue.purge", ch -> ch.queuePurge(queue));
        refused(eve, "queue.bind", ch -> ch.queueBind(queue, "amq.topic", "anything.#"));
        refused(eve, "queue.delete", ch -> ch.queueDelete(queue));
        refused(eve, "publish into it through the default exchange", ch -> {
            ch.confirmSelect();
            ch.basicPublish("", queue, null, utf8("forged"));
            ch.waitForConfirmsOrDie(5000);
        });

        // The owner may read it over AMQP; an administrator too.
        Channel mine = fx.amqp("mq").createChannel();
        GetResponse r = mine.basicGet(queue, true);
        assertThat(r).isNotNull();
        assertThat(new String(r.getBody(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("m1");
        Channel admin = fx.amqp("guest").createChannel();
        assertThat(admin.basicGet(queue, true)).isNotNull();
    }

    @Test
    void anAdministratorDeletingTheSessionQueueEndsTheSession() throws Exception {
        String victim = id("adm");
        Mqtt5BlockingClient owner = fx.v5(victim);
        persistent(owner, "mq");
        owner.subscribeWith().topicFilter("adm/" + victim).qos(MqttQos.AT_LEAST_ONCE).send();

        // queue.delete, as rabbitmqadmin delete queue does.
        fx.amqp("guest").createChannel().queueDelete("mqtt.session." + victim);

        // The live connection is disconnected (MQTT 5 DISCONNECT 0x98 Administrative action)...
        await("the session's connection to be closed", () -> !owner.getState().isConnected());
        // ...and the stored session is gone: resuming finds no session [MQTT-3.2.2-3 session present 0].
        Mqtt5BlockingClient back = fx.v5(victim);
        assertThat(persistent(back, "mq").isSessionPresent()).isFalse();
    }
}
