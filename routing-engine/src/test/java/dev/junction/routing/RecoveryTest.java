package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.QueueKey;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a restart keeps: durable definitions and persistent messages in durable queues, nothing else. */
class RecoveryTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore();

    private static Message persistent(String exchange, String key, String body) {
        return new Message(exchange, key, MessageProperties.builder().deliveryMode(2)
                .header("n", 7L).contentType("text/plain").build(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void durableDefinitionsAndPersistentMessagesComeBackAfterARestart() throws Exception {
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareExchange(new ExchangeSpec("events", "topic", true, false, false, Map.of()), false);
            v.declareExchange(new ExchangeSpec("scratch", "fanout", false, false, false, Map.of()), false);
            v.declareQueue(new QueueSpec("kept", true, false, false, Map.of("x-max-length", 10L)), null, false);
            v.declareQueue(QueueSpec.transientQueue("lost"), null, false);
            v.bind(Binding.toQueue("events", "kept", "a.#", Map.of()), null);
            v.bind(Binding.toQueue("events", "lost", "a.#", Map.of()), null);
            assertThat(v.publish(persistent("events", "a.b", "one"), true).confirmed().get(5, TimeUnit.SECONDS))
                    .isTrue();
            v.publish(new Message("events", "a.c", null, "transient".getBytes(StandardCharsets.UTF_8)), true)
                    .confirmed().get(5, TimeUnit.SECONDS);
            assertThat(store.count(new QueueKey("/", "kept"))).isEqualTo(1);
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            VirtualHost v = second.vhost("/").orElseThrow();
            assertThat(v.exchange("events")).isPresent();
            assertThat(v.exchange("scratch")).isEmpty();
            assertThat(v.queue("lost")).isEmpty();
            var kept = v.queue("kept").orElseThrow();
            assertThat(kept.arguments().declared().maxLength()).isEqualTo(10L);
            assertThat(v.route(new Message("events", "a.z", null, null))).containsExactly("kept");

            Delivery d = kept.get(false).get(5, TimeUnit.SECONDS);
            assertThat(new String(d.message().body(), StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(d.message().properties().header("n")).isEqualTo(7L);
            assertThat(d.message().properties().contentType()).isEqualTo("text/plain");
            // The broker cannot know whether it was delivered before the restart.
            assertThat(d.redelivered()).isTrue();
            assertThat(kept.get(false).get(5, TimeUnit.SECONDS)).isNull();
            kept.settle(d.deliveryId(), dev.junction.routing.api.Settlement.ACK);
            kept.get(false).get(5, TimeUnit.SECONDS); // a mailbox round trip: the ack has been processed
            assertThat(store.count(new QueueKey("/", "kept"))).isZero();
        }
    }

    @Test
    void messageIdsKeepIncreasingAcrossRestarts() throws Exception {
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareQueue(QueueSpec.durable("q"), null, false);
            v.publish(persistent("", "q", "a"), true).confirmed().get(5, TimeUnit.SECONDS);
        }
        long before = store.highestMessageId();
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            second.vhost("/").orElseThrow().publish(persistent("", "q", "b"), true).confirmed()
                    .get(5, TimeUnit.SECONDS);
        }
        assertThat(store.highestMessageId()).isGreaterThan(before);
        assertThat(store.read(new QueueKey("/", "q"), 0, 10)).hasSize(2);
    }

    @Test
    void aMessageRoutedToSeveralDurableQueuesIsStoredOnce() throws Exception {
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = engine.createVhost("/");
            for (String q : List.of("q1", "q2", "q3")) {
                v.declareQueue(QueueSpec.durable(q), null, false);
                v.bind(Binding.toQueue("amq.fanout", q, "", Map.of()), null);
            }
            v.publish(persistent("amq.fanout", "", "x"), true).confirmed().get(5, TimeUnit.SECONDS);
            assertThat(store.bodyCount()).isEqualTo(1);
            assertThat(store.count(new QueueKey("/", "q3"))).isEqualTo(1);
        }
    }

    @Test
    void deletedDurableQueueDoesNotComeBack() throws Exception {
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareQueue(QueueSpec.durable("gone"), null, false);
            v.publish(persistent("", "gone", "a"), true).confirmed().get(5, TimeUnit.SECONDS);
            v.deleteQueue("gone", false, false, null).get(5, TimeUnit.SECONDS);
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            assertThat(second.vhost("/").orElseThrow().queue("gone")).isEmpty();
            assertThat(store.queues()).isEmpty();
        }
    }
}
