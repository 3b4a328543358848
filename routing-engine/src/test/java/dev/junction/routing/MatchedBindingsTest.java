package dev.junction.routing;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.queue.Paging;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A delivery names the bindings into its queue that the message matched ({@code Delivery.matched()}), so that an
 * adapter never matches the message again: kept from routing while the message is in memory, worked out from the
 * queue's own bindings where it was not kept.
 */
class MatchedBindingsTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private Binding bind(String exchange, String queue, String key, Map<String, Object> args) {
        Binding b = Binding.toQueue(exchange, queue, key, args);
        f.vhost.bind(b, EngineFixture.OWNER);
        return b;
    }

    private static Message persistent(String exchange, String key, String body) {
        return new Message(exchange, key, MessageProperties.builder().deliveryMode(2).build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneBindingIsTheSameSharedListForEveryMessageItRoutes() {
        Queue q = f.declare("q");
        Binding b = bind("amq.topic", "q", "a.*", Map.of());
        RecordingSink sink = f.consume(q, "c");
        f.publish("amq.topic", "a.x", "1");
        f.publish("amq.topic", "a.y", "2");
        Delivery first = sink.next();
        Delivery second = sink.next();
        assertThat(first.matched()).containsExactly(b);
        // Kept from routing, not worked out again; one list for both messages.
        assertThat(first.routedBy()).isSameAs(second.routedBy()).isNotNull();
    }

    @Test
    void overlappingBindingsOfOneQueueDeliverOnceAndAreAllListed_MQTT_3_3_5_1() {
        Queue q = f.declare("q");
        Binding one = bind("amq.topic", "q", "a.*", Map.of("x-mqtt-filter", true, "x-mqtt-qos", 0));
        Binding many = bind("amq.topic", "q", "a.#", Map.of("x-mqtt-filter", true, "x-mqtt-qos", 2));
        bind("amq.topic", "q", "b.#", Map.of());
        RecordingSink sink = f.consume(q, "c");
        f.publish("amq.topic", "a.x", "m");
        assertThat(sink.next().matched()).containsExactlyInAnyOrder(one, many);
        sink.none(100);
        assertThat(q.messageCount()).isZero();
    }

    @Test
    void throughAnExchangeToExchangeBindingTheLastHopIsListed() {
        f.declareExchange("edge", ExchangeType.FANOUT);
        f.vhost.bind(Binding.toExchange("amq.topic", "edge", "a.#", Map.of()), EngineFixture.OWNER);
        Queue q = f.declare("q");
        Binding last = bind("edge", "q", "", Map.of());
        Binding direct = bind("amq.topic", "q", "a.b", Map.of());
        RecordingSink sink = f.consume(q, "c");
        f.publish("amq.topic", "a.b", "m");
        assertThat(sink.next().matched()).containsExactlyInAnyOrder(last, direct);
    }

    @Test
    void aBindingThatMatchedOnlyACcKeyRoutesButIsNotListed() {
        Queue q = f.declare("q");
        Binding own = bind("amq.direct", "q", "own", Map.of());
        bind("amq.direct", "q", "copy", Map.of());
        RecordingSink sink = f.consume(q, "c");
        f.publish("amq.direct", "elsewhere", MessageProperties.builder().header("CC", List.of("own")).build(), "cc");
        f.publish("amq.direct", "own", MessageProperties.builder().header("CC", List.of("copy")).build(), "both");
        Delivery onlyCc = sink.next();
        Delivery both = sink.next();
        assertThat(onlyCc.matched()).isEmpty();
        assertThat(both.matched()).containsExactly(own);
    }

    @Test
    void aRequeuedMessageKeepsItsMatchedBindings() {
        Queue q = f.declare("q");
        Binding b = bind("amq.topic", "q", "#", Map.of());
        RecordingSink sink = f.consume(q, "c");
        f.publish("amq.topic", "a", "m");
        Delivery first = sink.next();
        first.settle(Settlement.REQUEUE);
        Delivery again = sink.next();
        assertThat(again.redelivered()).isTrue();
        assertThat(again.routedBy()).isSameAs(first.routedBy());
        assertThat(again.matched()).containsExactly(b);
    }

    @Test
    void byNameThroughTheDefaultExchangeTheQueuesOwnMatchingBindingsAreWorkedOut() {
        Queue q = f.declare("q");
        Binding all = bind("amq.topic", "q", "#", Map.of());
        bind("amq.topic", "q", "other", Map.of());
        Queue unbound = f.declare("unbound");
        RecordingSink sink = f.consume(q, "c");
        RecordingSink none = f.consume(unbound, "u");
        f.publish("", "q", "m");
        f.publish("", "unbound", "m");
        Delivery d = sink.next();
        assertThat(d.routedBy()).isNull();
        assertThat(d.matched()).containsExactly(all);
        assertThat(none.next().matched()).isEmpty();
    }

    @Test
    void aHeadersBindingIsWorkedOutByItsExchange() {
        f.declareExchange("h", ExchangeType.HEADERS);
        Queue q = f.declare("q");
        Binding red = bind("h", "q", "", Map.of("colour", "red"));
        bind("h", "q", "", Map.of("colour", "blue"));
        RecordingSink sink = f.consume(q, "c");
        f.publish("h", "", MessageProperties.builder().header("colour", "red").build(), "m");
        Delivery d = sink.next();
        assertThat(d.matched()).containsExactly(red);
        assertThat(q.bindingsMatching(d.message())).containsExactly(red);
    }

    @Test
    void deadLetteredMessagesCarryTheBindingsOfTheDeadLetterRoute() {
        f.declareExchange("dlx", ExchangeType.FANOUT);
        Queue dead = f.declare("dead");
        Binding b = bind("dlx", "dead", "", Map.of());
        Queue q = f.declare("q", Map.of("x-dead-letter-exchange", "dlx"));
        RecordingSink sink = f.consume(q, "c");
        RecordingSink deadSink = f.consume(dead, "d");
        f.publish("", "q", "m");
        sink.next().settle(Settlement.DISCARD);
        Delivery d = deadSink.next();
        assertThat(d.routedBy()).containsExactly(b);
    }

    @Test
    void messagesPagedBackFromTheStoreWorkTheirBindingsOut() {
        try (EngineFixture small = new EngineFixture(new Paging(2, 1024 * 1024))) {
            Queue q = small.declare(new QueueSpec("big", true, false, false, Map.of()));
            Binding b = Binding.toQueue("amq.topic", "big", "t.#", Map.of());
            small.vhost.bind(b, EngineFixture.OWNER);
            for (int i = 0; i < 6; i++) {
                await(small.publish(persistent("amq.topic", "t." + i, "m" + i), true).confirmed());
            }
            eventually("paged out", () -> q.pagedCount() > 0);
            RecordingSink sink = small.consume(q, "c");
            List<Delivery> all = sink.next(6);
            assertThat(all.get(0).routedBy()).containsExactly(b); // in the window: kept from routing
            assertThat(all.get(5).routedBy()).isNull(); // read back from the store: worked out
            assertThat(all).allSatisfy(d -> assertThat(d.matched()).containsExactly(b));
        }
    }

    @Test
    void afterARestartTheQueuesBindingsAreAskedAgain() throws Exception {
        InMemoryMessageStore store = new InMemoryMessageStore();
        Binding b = Binding.toQueue("amq.topic", "kept", "a.*", Map.of("x-mqtt-filter", true));
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareQueue(new QueueSpec("kept", true, false, false, Map.of()), null, false);
            v.bind(b, null);
            v.bind(Binding.toQueue("amq.topic", "kept", "z", Map.of()), null);
            await(v.publish(persistent("amq.topic", "a.b", "one"), true).confirmed());
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            Queue kept = second.vhost("/").orElseThrow().queue("kept").orElseThrow();
            Delivery d = await(kept.get(false));
            assertThat(d.redelivered()).isTrue();
            assertThat(d.matched()).containsExactly(b);
        }
    }
}
