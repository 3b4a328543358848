package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The x-delayed-message exchange: declaration rules, holding and release, and the held store of a durable one. */
class DelayedExchangeTest {
    private static final QueueKey HELD = new QueueKey("/", "amq.delayed/later");
    private final InMemoryMessageStore store = new InMemoryMessageStore();

    private static ExchangeSpec delayed(boolean durable, Map<String, Object> arguments) {
        return new ExchangeSpec("later", "x-delayed-message", durable, false, false, arguments);
    }

    private static Message message(long delay, boolean persistent, String body) {
        MessageProperties.Builder b = MessageProperties.builder().deliveryMode(persistent ? 2 : 1);
        if (delay != 0) {
            b.header("x-delay", delay);
        }
        return new Message("later", "k", b.build(), body.getBytes());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static Queue setUp(VirtualHost vhost, boolean durable) {
        vhost.declareExchange(delayed(durable, Map.of("x-delayed-type", "direct")), false);
        vhost.declareQueue(durable ? QueueSpec.durable("q") : QueueSpec.transientQueue("q"), null, false);
        vhost.bind(Binding.toQueue("later", "q", "k", Map.of()), null);
        return vhost.queue("q").orElseThrow();
    }

    @Test
    void declarationNeedsAnExistingDelayedTypeWithThePluginsTexts() {
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = engine.createVhost("/");
            assertThatThrownBy(() -> vhost.declareExchange(delayed(false, Map.of()), false))
                    .isInstanceOf(BrokerException.class).hasFieldOrPropertyWithValue("kind",
                            ErrorKind.PRECONDITION_FAILED)
                    .hasMessage("Invalid argument, 'x-delayed-type' must be an existing exchange type");
            assertThatThrownBy(() -> vhost.declareExchange(delayed(false,
                    Map.of("x-delayed-type", "x-delayed-message")), false))
                    .hasMessage("Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'");
            assertThatThrownBy(() -> vhost.declareExchange(delayed(false, Map.of("x-delayed-type", "nope")), false))
                    .hasFieldOrPropertyWithValue("kind", ErrorKind.COMMAND_INVALID);
            assertThat(vhost.exchange("later")).isEmpty();
            assertThat(vhost.exchange("amq.x-delayed-message")).as("no built-in instance of a plugin type").isEmpty();
        }
    }

    @Test
    void heldMessagesAreReleasedByDueTimeAndUndelayedOnesRouteAtOnce() throws Exception {
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = engine.createVhost("/");
            Queue q = setUp(vhost, false);
            DelayedExchange x = (DelayedExchange) vhost.exchange("later").orElseThrow();
            assertThat(vhost.publish(message(400, false, "b"), true).routedQueues()).isZero();
            vhost.publish(message(200, false, "a"), true);
            assertThat(vhost.publish(message(-5, false, "now"), true).routedQueues()).isEqualTo(1);
            assertThat(x.pending()).isEqualTo(2);
            await(() -> q.messageCount() == 3);
            assertThat(x.pending()).isZero();
        }
    }

    @Test
    void aRoutingDryRunHoldsNothing() {
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = engine.createVhost("/");
            setUp(vhost, true);
            DelayedExchange x = (DelayedExchange) vhost.exchange("later").orElseThrow();
            assertThat(vhost.route(message(60_000, true, "held"))).as("held, so no queue now").isEmpty();
            assertThat(vhost.route(message(0, true, "now"))).containsExactly("q");
            assertThat(x.pending()).isZero();
            assertThat(store.count(HELD)).isZero();
        }
    }

    @Test
    void persistentHeldMessagesOfADurableExchangeAreStoredConfirmedAndRecovered() throws Exception {
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = first.createVhost("/");
            setUp(vhost, true);
            PublishResult r = vhost.publish(message(60_000, true, "stored"), true);
            assertThat(r.confirmed().get(5, TimeUnit.SECONDS)).isTrue();
            vhost.publish(message(60_000, false, "transient"), true);
            assertThat(store.count(HELD)).as("only the persistent one is written").isEqualTo(1);
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            DelayedExchange x = (DelayedExchange) second.vhost("/").orElseThrow().exchange("later").orElseThrow();
            assertThat(x.pending()).isEqualTo(1);
            second.vhost("/").orElseThrow().deleteExchange("later", false);
            await(() -> store.count(HELD) == 0);
        }
    }

    @Test
    void aReleasedStoredMessageLeavesTheHeldStore() throws Exception {
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = engine.createVhost("/");
            Queue q = setUp(vhost, true);
            vhost.publish(message(100, true, "soon"), true).confirmed().get(5, TimeUnit.SECONDS);
            await(() -> q.messageCount() == 1);
            await(() -> store.count(HELD) == 0);
            assertThat(store.count(q.key())).isEqualTo(1);
        }
    }

    @Test
    void aStoredMessageDueDuringTheDowntimeIsReleasedOnceTheQueuesAreBack() throws Exception {
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost vhost = first.createVhost("/");
            Queue q = setUp(vhost, true);
            vhost.publish(message(60_000, true, "held"), true).confirmed().get(5, TimeUnit.SECONDS);
            vhost.publish(message(0, true, "queued"), true).confirmed().get(5, TimeUnit.SECONDS);
            assertThat(q.messageCount()).isEqualTo(1);
        }
        // The same record, due long ago: rewrite it and its time index entry as if the broker had been down past
        // its due time.
        long id = store.ids(HELD, 0, 10).lastId();
        byte[] data = store.read(HELD, new long[] {id}).get(0).data();
        ByteBuffer.wrap(data).putLong(0, 1L);
        store.removeQueue(HELD).get(5, TimeUnit.SECONDS);
        store.append(new StoredMessage(id, data), List.of(HELD)).get(5, TimeUnit.SECONDS);
        store.timeIndex(HELD).clear();
        store.timeIndex(HELD).add(1L, id);
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            Queue q = second.vhost("/").orElseThrow().queue("q").orElseThrow();
            await(() -> q.messageCount() == 2);
            await(() -> store.count(HELD) == 0);
        }
    }
}
