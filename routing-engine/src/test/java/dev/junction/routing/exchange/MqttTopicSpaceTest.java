package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange MQTT uses as its topic space keeps MQTT's '$' rule for AMQP bindings too [MQTT-4.7.2-1], so that an
 * AMQP binding reads what the MQTT ACL judged it to read (an ACL of {@code allow #} permits {@code #}, which must
 * not then deliver the broker's {@code $SYS} topics); other topic exchanges keep AMQP's meaning.
 */
class MqttTopicSpaceTest {
    private final RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final VirtualHost vhost = engine.createVhost("/");

    @AfterEach
    void close() {
        engine.close();
    }

    private void bind(String exchange, String queue, String key) {
        vhost.declareQueue(QueueSpec.transientQueue(queue), null, false);
        vhost.bind(Binding.toQueue(exchange, queue, key, Map.of()), null);
    }

    private List<String> route(String exchange, String key) {
        return vhost.route(new Message(exchange, key, MessageProperties.EMPTY, new byte[0]));
    }

    @Test
    void leadingWildcardsOfAmqpBindingsStopMatchingDollarKeysOnceTheExchangeIsMqttsTopicSpace() {
        bind("amq.topic", "before-hash", "#");
        bind("amq.topic", "before-star", "*.broker.uptime");
        bind("amq.topic", "named", "$SYS.#");
        assertThat(route("amq.topic", "$SYS.broker.uptime")).containsExactlyInAnyOrder("before-hash", "before-star",
                "named");

        Engine.of(engine).vhost("/").orElseThrow().useMqttTopicRules("amq.topic");
        bind("amq.topic", "after-hash", "#");

        assertThat(route("amq.topic", "$SYS.broker.uptime")).containsExactly("named");
        assertThat(route("amq.topic", "sensors.t1")).containsExactlyInAnyOrder("before-hash", "after-hash");
        assertThat(route("amq.topic", "x.broker.uptime")).containsExactlyInAnyOrder("before-hash", "before-star",
                "after-hash");
    }

    @Test
    void bindingsMadeBeforeTheSwitchCanStillBeRemoved() {
        bind("amq.topic", "q", "#");
        Engine.of(engine).vhost("/").orElseThrow().useMqttTopicRules("amq.topic");
        vhost.unbind(Binding.toQueue("amq.topic", "q", "#", Map.of()), null);
        assertThat(route("amq.topic", "a.b")).isEmpty();
    }

    @Test
    void otherTopicExchangesKeepAmqpsMeaning() {
        vhost.declareExchange(new ExchangeSpec("events", "topic", false, false, false, Map.of()), false);
        bind("events", "all", "#");
        Engine.of(engine).vhost("/").orElseThrow().useMqttTopicRules("amq.topic");
        assertThat(route("events", "$SYS.broker.uptime")).containsExactly("all");
    }
}
