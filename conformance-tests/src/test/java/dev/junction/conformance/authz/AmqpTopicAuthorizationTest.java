package dev.junction.conformance.authz;

import static dev.junction.conformance.authz.AuthzFixture.id;
import static dev.junction.conformance.authz.AuthzFixture.next;
import static dev.junction.conformance.authz.AuthzFixture.refused;
import static dev.junction.conformance.authz.AuthzFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Authorization on the AMQP side: RabbitMQ topic permissions (routing keys checked against {@code write} on
 * basic.publish, binding keys against {@code read} on queue.bind / exchange.bind, for topic exchanges, with
 * {@code {username}} filled in; see RabbitMQ's access control guide, "Topic Authorisation"), and the MQTT ACL of a
 * user governing that user's routing and binding keys on the MQTT exchange, so AMQP is no way around it.
 */
class AmqpTopicAuthorizationTest {
    @RegisterExtension
    static final AuthzFixture fx = AuthzFixture.perClass();

    /** A publish in confirm mode: a refusal closes the channel, which waitForConfirms reports. */
    private static void publish(Channel ch, String exchange, String key) throws Exception {
        ch.confirmSelect();
        ch.basicPublish(exchange, key, null, utf8("x"));
        ch.waitForConfirmsOrDie(5000);
    }

    @Test
    void topicPermissionsCheckRoutingKeysOnPublishAndBindingKeysOnBind() throws Exception {
        // tp: write "^tp\.{username}\." and read "^tp\." on amq.topic.
        Connection tp = fx.amqp("tp");
        publish(tp.createChannel(), "amq.topic", "tp.tp.a");
        refused(tp, "publish tp.other.a", ch -> publish(ch, "amq.topic", "tp.other.a"));
        Channel ch = tp.createChannel();
        String q = ch.queueDeclare().getQueue();
        ch.queueBind(q, "amq.topic", "tp.#");
        refused(tp, "bind other.#", c -> c.queueBind(c.queueDeclare().getQueue(), "amq.topic", "other.#"));
        refused(tp, "exchange.bind other.#", c -> {
            String x = id("tpx");
            c.exchangeDeclare(x, "topic", false, true, null);
            c.exchangeBind(x, "amq.topic", "other.#");
        });
        // No topic permission for amq.direct and it is not a topic exchange: unrestricted.
        publish(tp.createChannel(), "amq.direct", "anything");
    }

    @Test
    void theMqttAclGovernsAmqpBindingKeysOnTheMqttExchange() throws Exception {
        // dev: deny secret/#, allow #. secret.# and # can carry MQTT secrets; public.# cannot.
        Connection dev = fx.amqp("dev");
        refused(dev, "bind secret.#", c -> c.queueBind(c.queueDeclare().getQueue(), "amq.topic", "secret.#"));
        refused(dev, "bind #", c -> c.queueBind(c.queueDeclare().getQueue(), "amq.topic", "#"));
        refused(dev, "bind *.x", c -> c.queueBind(c.queueDeclare().getQueue(), "amq.topic", "*.x"));
        Channel ch = dev.createChannel();
        String q = ch.queueDeclare().getQueue();
        ch.queueBind(q, "amq.topic", "public.#");
        // An exchange binding out of amq.topic is a read like a queue binding.
        refused(dev, "exchange.bind #", c -> {
            String x = id("devx");
            c.exchangeDeclare(x, "fanout", false, true, null);
            c.exchangeBind(x, "amq.topic", "#");
        });
        // Nor can it route into the MQTT exchange where no routing key is checked.
        refused(dev, "exchange.bind into amq.topic", c -> {
            String x = id("devin");
            c.exchangeDeclare(x, "topic", false, true, null);
            c.exchangeBind("amq.topic", x, "#");
        });
        refused(dev, "dead-letter into amq.topic", c -> c.queueDeclare(id("devdl"), false, true, true,
                Map.of("x-dead-letter-exchange", "amq.topic")));
    }

    @Test
    void theMqttAclGovernsAmqpRoutingKeysOnTheMqttExchange() throws Exception {
        String tag = id("k");
        Mqtt5BlockingClient sub = fx.connected5("guest", id("amqpsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("+/" + tag).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
            Connection dev = fx.amqp("dev");
            refused(dev, "publish secret." + tag, c -> publish(c, "amq.topic", "secret." + tag));
            // A '$' topic is the server's, whoever publishes it [MQTT-4.7.2-1].
            refused(fx.amqp("guest"), "publish $SYS." + tag, c -> publish(c, "amq.topic", "$SYS." + tag));
            publish(dev.createChannel(), "amq.topic", "public." + tag);
            // The refused publishes were never routed: the first message the MQTT subscriber sees is the allowed one.
            assertThat(next(in)).isEqualTo("x");
        }
    }
}
