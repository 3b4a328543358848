package dev.junction.conformance.authz;

import static dev.junction.conformance.authz.AuthzFixture.id;
import static dev.junction.conformance.authz.AuthzFixture.next;
import static dev.junction.conformance.authz.AuthzFixture.refused;
import static dev.junction.conformance.authz.AuthzFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ways around the authorization model that do not go through the checked routing key, binding key or client id:
 * sender-selected distribution (CC / BCC headers), dead-lettering through the default exchange, routing into the
 * MQTT exchange through exchange bindings, alternate and dead-letter exchanges, and client ids that are not plain
 * topic levels in {@code %c} rules.
 */
class RoutingAroundAuthorizationTest {
    @RegisterExtension
    static final AuthzFixture fx = AuthzFixture.perClass();

    /** A confirmed publish with the routing keys {@code header} (CC or BCC) added; a refusal closes the channel. */
    private static void publish(Channel ch, String exchange, String key, String header, List<String> more)
            throws Exception {
        ch.confirmSelect();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(header == null ? null : Map.of(header, more)).build();
        ch.basicPublish(exchange, key, props, utf8("cc"));
        ch.waitForConfirmsOrDie(5000);
    }

    @Test
    void ccAndBccRoutingKeysAreAuthorizedLikeTheRoutingKey() throws Exception {
        // RabbitMQ checks topic authorisation for every routing key of a message, CC and BCC included
        // (sender-selected distribution); otherwise one allowed key carries any number of unchecked ones.
        String tag = id("cc");
        Connection dev = fx.amqp("dev");
        // dev: deny secret/#, allow #.
        publish(dev.createChannel(), "amq.topic", "public." + tag, "CC", List.of("public2." + tag));
        refused(dev, "CC secret", c -> publish(c, "amq.topic", "public." + tag, "CC", List.of("secret." + tag)));
        refused(dev, "BCC secret", c -> publish(c, "amq.topic", "public." + tag, "BCC", List.of("secret." + tag)));
        // tp: write ^tp\.{username}\. on amq.topic.
        refused(fx.amqp("tp"), "CC tp.other", c -> publish(c, "amq.topic", "tp.tp." + tag, "CC",
                List.of("tp.other." + tag)));
        // '$' topics are the server's [MQTT-4.7.2-1], whoever publishes them.
        refused(fx.amqp("guest"), "CC $SYS", c -> publish(c, "amq.topic", "public." + tag, "CC",
                List.of("$SYS." + tag)));
        // The default exchange routes a CC key to the queue of that name: not into another user's MQTT session.
        String victim = id("victim");
        Mqtt5BlockingClient owner = fx.connected5("mq", victim);
        Connection eve = fx.amqp("eve");
        Channel ch = eve.createChannel();
        String own = ch.queueDeclare().getQueue();
        refused(eve, "CC mqtt.session", c -> publish(c, "", own, "CC", List.of("mqtt.session." + victim)));
        refused(eve, "BCC mqtt.session", c -> publish(c, "", own, "BCC", List.of("mqtt.session." + victim)));
        owner.disconnect();
    }

    @Test
    void deadLetteringThroughTheDefaultExchangeDoesNotReachAnotherUsersSession() throws Exception {
        // The default exchange's implicit bindings would route a dead-lettered message to any queue named by its
        // key, MQTT session queues included, which over AMQP only their owner may write into.
        String victim = id("victim");
        String topic = "mqtt/session/" + victim; // the topic the session queue's name stands for
        String tag = id("marker");
        Mqtt5BlockingClient owner = fx.connected5("mq", victim);
        try (Mqtt5BlockingClient.Mqtt5Publishes in = owner.publishes(MqttGlobalPublishFilter.ALL)) {
            owner.subscribeWith().addSubscription().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).applySubscription()
                    .addSubscription().topicFilter("marker/" + tag).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).applySubscription().send();
            Channel ch = fx.amqp("eve").createChannel();
            String check = ch.queueDeclare().getQueue();
            String dying = ch.queueDeclare(id("dying"), false, true, true, Map.of("x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", "mqtt.session." + victim)).getQueue();
            ch.queueBind(dying, "amq.direct", dying);
            // The CC key makes the dead-lettered copy reach eve's own queue too, after the session queue (keys are
            // routed in order), so eve can see that the dead-lettering happened.
            ch.basicPublish("amq.direct", dying, new AMQP.BasicProperties.Builder()
                    .headers(Map.of("CC", List.of(check))).build(), utf8("injected"));
            GetResponse[] got = new GetResponse[1];
            AuthzFixture.await("the message in " + dying, () -> get(ch, dying, got));
            ch.basicReject(got[0].getEnvelope().getDeliveryTag(), false);
            AuthzFixture.await("the dead-lettered copy in " + check, () -> get(ch, check, got));
            fx.amqp("guest").createChannel().basicPublish("amq.topic", "marker." + tag, null, utf8("marker"));
            assertThat(next(in)).isEqualTo("marker");
        }
        owner.disconnect();
    }

    private static boolean get(Channel ch, String queue, GetResponse[] out) {
        try {
            out[0] = ch.basicGet(queue, false);
            return out[0] != null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void onlyAdministratorsRouteIntoTheMqttExchangeOtherThanByPublishing() throws Exception {
        // A routing key that reaches amq.topic through an exchange binding, an alternate or a dead-letter exchange
        // was checked, if at all, against another exchange: neither the '$' rule [MQTT-4.7.2-1] nor the topic
        // permissions of amq.topic would apply. mq has no ACL; tp has topic permissions on amq.topic.
        for (String user : List.of("mq", "tp")) {
            Connection c = fx.amqp(user);
            refused(c, user + " exchange.bind into amq.topic", ch -> {
                String x = id(user + "x");
                ch.exchangeDeclare(x, "topic", false, true, null);
                ch.exchangeBind("amq.topic", x, "#");
            });
            refused(c, user + " alternate exchange amq.topic", ch -> ch.exchangeDeclare(id(user + "ae"), "direct",
                    false, true, Map.of("alternate-exchange", "amq.topic")));
            refused(c, user + " dead-letter exchange amq.topic", ch -> ch.queueDeclare(id(user + "dl"), false, true,
                    true, Map.of("x-dead-letter-exchange", "amq.topic")));
        }
        // Administrators are trusted with it (docs/security.md).
        Channel admin = fx.amqp("guest").createChannel();
        String x = id("adminx");
        admin.exchangeDeclare(x, "topic", false, true, null);
        admin.exchangeBind("amq.topic", x, "#");
    }

    @Test
    void anOwnerWithAnAclCannotReadItsSessionQueueOverAmqpPastTheDeliveryCheck() throws Exception {
        // dev (deny secret/#, allow #) is granted '#' over MQTT because every delivery is checked; its session queue
        // is therefore bound with '#' and holds secret messages until the MQTT delivery drops them. Reading that
        // queue over AMQP (basic.get, basic.consume) would skip the check.
        String clientId = id("devsess");
        String tag = id("s");
        Mqtt5BlockingClient dev = fx.v5(clientId);
        dev.connectWith().simpleAuth().username("dev").password(utf8("dev")).applySimpleAuth().cleanStart(true)
                .sessionExpiryInterval(600).send();
        dev.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
        dev.disconnect(); // the session and its binding stay
        Mqtt5BlockingClient guest = fx.connected5("guest", id("pub"));
        guest.publishWith().topic("secret/" + tag).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("secret")).send();
        guest.disconnect();
        String queue = "mqtt.session." + clientId;
        Connection amqp = fx.amqp("dev");
        refused(amqp, "basic.get", ch -> ch.basicGet(queue, true));
        refused(amqp, "basic.consume", ch -> {
            ch.basicConsume(queue, true, (t, d) -> { }, t -> { });
            ch.basicQos(1); // a round trip after the consume, so its refusal is seen here
        });
        // Its owner may still end it (docs/security.md).
        amqp.createChannel().queueDelete(queue);
        // A user without ACL rules gets nothing that way that it could not subscribe to: it may read its queue.
        String mqId = id("mqsess");
        Mqtt5BlockingClient mq = fx.v5(mqId);
        mq.connectWith().simpleAuth().username("mq").password(utf8("mq")).applySimpleAuth().cleanStart(true)
                .sessionExpiryInterval(600).send();
        mq.subscribeWith().topicFilter("mq/" + mqId).send(); // a session's queue comes with its first subscription
        mq.disconnect();
        assertThat(fx.amqp("mq").createChannel().basicGet("mqtt.session." + mqId, true)).isNull();
    }

    @Test
    void aDenyRuleWithClientIdStaysInForceForAClientIdThatIsNotAPlainTopicLevel() {
        // keyless: deny devices/%c/keys, allow #. A client id with '/' (or '+', '#') cannot be put into the rule as
        // one level; the rule must not then simply vanish, or such a client reads what the rule denies it.
        for (String clientId : List.of(id("k"), "k/" + id("x"))) {
            Mqtt5BlockingClient c = fx.connected5("keyless", clientId);
            assertThatThrownBy(() -> c.subscribeWith().topicFilter("devices/" + clientId + "/keys")
                    .qos(MqttQos.AT_LEAST_ONCE).send()).as(clientId)
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
            c.disconnect();
        }
    }
}
