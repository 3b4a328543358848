package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vhost's reverse index from a destination to its bindings: deleting a queue or an exchange removes exactly the
 * bindings into it (from every source exchange, with their stored definitions), and the index, the count and the
 * exchanges stay in step through binds, unbinds, deletes and auto-deletes.
 */
class BindingTableTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static Binding toQueue(String x, String q, String key) {
        return Binding.toQueue(x, q, key, Map.of());
    }

    private void bind(Binding b) {
        f.vhost.bind(b, EngineFixture.OWNER);
    }

    private List<Definition> storedBindings() {
        return f.store.definitions().all().stream().filter(d -> d.kind() == DefinitionKind.BINDING).toList();
    }

    @Test
    void deletingAQueueRemovesItsBindingsFromEverySourceAndNoOthers() {
        f.declare(new QueueSpec("gone", true, false, false, Map.of()));
        f.declare(new QueueSpec("kept", true, false, false, Map.of()));
        bind(toQueue("amq.topic", "gone", "a.*"));
        bind(toQueue("amq.topic", "gone", "b.#"));
        bind(toQueue("amq.direct", "gone", "k"));
        bind(toQueue("amq.topic", "kept", "a.*"));
        bind(toQueue("amq.direct", "kept", "k"));
        assertThat(f.vhost.bindingsTo(true, "gone")).hasSize(3);
        assertThat(storedBindings()).hasSize(5);

        EngineFixture.await(f.vhost.deleteQueue("gone", false, false, EngineFixture.OWNER));

        assertThat(f.vhost.bindingsTo(true, "gone")).isEmpty();
        assertThat(f.vhost.bindingsTo(true, "kept")).containsExactlyInAnyOrder(
                toQueue("amq.topic", "kept", "a.*"), toQueue("amq.direct", "kept", "k"));
        assertThat(f.vhost.bindingCount()).isEqualTo(2);
        assertThat(f.vhost.exchange("amq.topic").orElseThrow().bindings())
                .containsExactly(toQueue("amq.topic", "kept", "a.*"));
        assertThat(f.vhost.route(EngineFixture.message("amq.topic", "a.x", MessageProperties.EMPTY, "m")))
                .containsExactly("kept");
        assertThat(storedBindings()).hasSize(2);
    }

    @Test
    void aQueueDeclaredAgainUnderTheSameNameStartsWithoutBindings() {
        f.declare("q");
        bind(toQueue("amq.fanout", "q", ""));
        EngineFixture.await(f.vhost.deleteQueue("q", false, false, EngineFixture.OWNER));
        f.declare("q");
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
        assertThat(f.vhost.exchange("amq.fanout").orElseThrow().hasBindings()).isFalse();
        bind(toQueue("amq.fanout", "q", ""));
        assertThat(f.vhost.bindingsTo(true, "q")).containsExactly(toQueue("amq.fanout", "q", ""));
    }

    @Test
    void aQueueAndAnExchangeOfTheSameNameAreDifferentDestinations() {
        f.declare("same");
        f.declareExchange("same", ExchangeType.FANOUT);
        bind(toQueue("amq.direct", "same", "k"));
        bind(Binding.toExchange("amq.direct", "same", "k", Map.of()));
        EngineFixture.await(f.vhost.deleteQueue("same", false, false, EngineFixture.OWNER));
        assertThat(f.vhost.bindingsTo(false, "same")).containsExactly(Binding.toExchange("amq.direct", "same", "k",
                Map.of()));
        assertThat(f.vhost.bindingCount()).isEqualTo(1);
    }

    @Test
    void deletingAnExchangeRemovesBindingsFromItAndIntoIt() {
        f.declareExchange("mid", ExchangeType.TOPIC);
        f.declare("q");
        bind(Binding.toExchange("amq.topic", "mid", "#", Map.of()));
        bind(Binding.toExchange("amq.direct", "mid", "k", Map.of()));
        bind(Binding.toExchange("mid", "mid", "loop", Map.of())); // a binding into itself
        bind(toQueue("mid", "q", "x"));
        assertThat(f.vhost.bindingCount()).isEqualTo(4);

        f.vhost.deleteExchange("mid", false);

        assertThat(f.vhost.bindingCount()).isZero();
        assertThat(f.vhost.bindingsTo(false, "mid")).isEmpty();
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
        assertThat(f.vhost.exchange("amq.topic").orElseThrow().hasBindings()).isFalse();
        assertThat(f.vhost.exchange("amq.direct").orElseThrow().hasBindings()).isFalse();
    }

    @Test
    void deletingTheLastDestinationOfAnAutoDeleteExchangeDeletesItAndWhatLedIntoIt() {
        f.vhost.declareExchange(new ExchangeSpec("auto", "direct", false, true, false, Map.of()), false);
        f.declare("q");
        bind(Binding.toExchange("amq.fanout", "auto", "", Map.of()));
        bind(toQueue("auto", "q", "k1"));
        bind(toQueue("auto", "q", "k2"));

        EngineFixture.await(f.vhost.deleteQueue("q", false, false, EngineFixture.OWNER));

        assertThat(f.vhost.exchange("auto")).isEmpty();
        assertThat(f.vhost.exchange("amq.fanout").orElseThrow().hasBindings()).isFalse();
        assertThat(f.vhost.bindingsTo(false, "auto")).isEmpty();
        assertThat(f.vhost.bindingCount()).isZero();
    }

    @Test
    void unbindAndARepeatedBindKeepTheIndexInStep() {
        f.declare("q");
        bind(toQueue("amq.headers", "q", ""));
        bind(Binding.toQueue("amq.headers", "q", "", Map.of("x-match", "any", "n", 1)));
        // The same binding again, with the argument as another integer width: equal as AMQP values, a no-op.
        bind(Binding.toQueue("amq.headers", "q", "", Map.of("x-match", "any", "n", 1L)));
        assertThat(f.vhost.bindingsTo(true, "q")).hasSize(2);
        assertThat(f.vhost.bindingCount()).isEqualTo(2);
        f.vhost.unbind(Binding.toQueue("amq.headers", "q", "", Map.of("x-match", "any", "n", (short) 1)),
                EngineFixture.OWNER);
        assertThat(f.vhost.bindingsTo(true, "q")).containsExactly(toQueue("amq.headers", "q", ""));
        f.vhost.unbind(toQueue("amq.headers", "q", ""), EngineFixture.OWNER);
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
        assertThat(f.vhost.bindingCount()).isZero();
    }

    @Test
    void manyQueuesOnOneExchangeEachTakeOnlyTheirOwnBinding() {
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            f.declare("s" + i);
            bind(toQueue("amq.topic", "s" + i, "sessions." + i + ".#"));
        }
        for (int i = 0; i < n; i += 2) {
            EngineFixture.await(f.vhost.deleteQueue("s" + i, false, false, EngineFixture.OWNER));
        }
        assertThat(f.vhost.bindingCount()).isEqualTo(n / 2);
        assertThat(f.vhost.exchange("amq.topic").orElseThrow().bindings()).hasSize(n / 2)
                .allMatch(b -> Integer.parseInt(b.destination().substring(1)) % 2 == 1);
        assertThat(f.vhost.route(EngineFixture.message("amq.topic", "sessions.7.t", MessageProperties.EMPTY, "m")))
                .containsExactly("s7");
        assertThat(f.vhost.route(EngineFixture.message("amq.topic", "sessions.8.t", MessageProperties.EMPTY, "m")))
                .isEmpty();
    }

    @Test
    void recoveredBindingsAreIndexedSoARecoveredQueueTakesThemWhenDeleted() throws Exception {
        f.declare(new QueueSpec("durable", true, false, false, Map.of()));
        bind(toQueue("amq.topic", "durable", "a.#"));
        bind(toQueue("amq.direct", "durable", "k"));
        try (RoutingEngine second = new RoutingEngine(f.store, new io.micrometer.core.instrument.simple
                .SimpleMeterRegistry(), 1)) {
            second.recover();
            VirtualHost v = second.vhost("/").orElseThrow();
            assertThat(v.bindingCount()).isEqualTo(2);
            assertThat(v.bindingsTo(true, "durable")).containsExactlyInAnyOrder(toQueue("amq.topic", "durable", "a.#"),
                    toQueue("amq.direct", "durable", "k"));
            EngineFixture.await(v.deleteQueue("durable", false, false, null));
            assertThat(v.bindingCount()).isZero();
            assertThat(v.exchange("amq.topic").orElseThrow().hasBindings()).isFalse();
        }
        assertThat(storedBindings()).isEmpty();
    }
}
