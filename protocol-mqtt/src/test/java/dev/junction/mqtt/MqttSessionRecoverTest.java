package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session found only as its durable queue (after a restart) is rebuilt from that queue's own bindings: the MQTT
 * subscriptions with their options, and nothing bound to another session or by AMQP without the filter marker.
 */
class MqttSessionRecoverTest {
    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final Vhost vhost = Engine.of(routing).createVhost("/");

    @AfterEach
    void close() {
        routing.close();
    }

    @Test
    void rebuildsTheSubscriptionsAndTheirOptionsFromTheSessionQueuesBindings() {
        String mine = TopicMapping.sessionQueue("c1");
        String other = TopicMapping.sessionQueue("c2");
        vhost.declareQueue(QueueSpec.durable(mine), null, false);
        vhost.declareQueue(QueueSpec.durable(other), null, false);
        Subscriptions.Subscription a = new Subscriptions.Subscription("a/+", "a/+", null, mine, 1, true, false, 7);
        Subscriptions.Subscription b = new Subscriptions.Subscription("b/#", "b/#", null, mine, 2, false, true, 0);
        vhost.bind(a.binding("amq.topic"), null);
        vhost.bind(b.binding("amq.topic"), null);
        vhost.bind(new Subscriptions.Subscription("c", "c", null, other, 0, false, false, 0).binding("amq.topic"),
                null);
        // Bound over AMQP: not an MQTT subscription (no filter marker), or not from the MQTT exchange.
        vhost.bind(Binding.toQueue("amq.topic", mine, "amqp.key", Map.of()), null);
        vhost.bind(Binding.toQueue("amq.direct", mine, "k", Map.of(Binding.MQTT_FILTER_ARGUMENT, true)), null);

        MqttSession s = MqttSession.recover("c1", vhost, "amq.topic");

        assertThat(s.subscriptions.all()).containsExactlyInAnyOrder(a, b);
    }
}
