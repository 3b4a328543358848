package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A publisher confirm for a persistent message that a durable delayed exchange holds waits for the held copy's
 * store write, whichever way the message reached the exchange, and a failed write is a nack; a held message whose
 * read fails is released once it works. The store here makes held copies durable only when the test says so.
 */
class DelayedConfirmTest {
    private final LateHeldWrites store = new LateHeldWrites();
    private final RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1);
    private final VirtualHost vhost = engine.createVhost("/");

    DelayedConfirmTest() {
        vhost.declareExchange(new ExchangeSpec("later", "x-delayed-message", true, false, false,
                Map.of("x-delayed-type", "fanout")), false);
        vhost.declareQueue(QueueSpec.durable("soon"), null, false);
        vhost.bind(Binding.toQueue("later", "soon", "", Map.of()), null);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static Message delayed(String exchange) {
        MessageProperties props = MessageProperties.builder().deliveryMode(2).header("x-delay", 60_000).build();
        return new Message(exchange, "k", props, "held".getBytes());
    }

    @Test
    void aConfirmForAMessageHeldByTheExchangeItWasPublishedToWaitsForTheWrite() throws Exception {
        PublishResult r = vhost.publish(delayed("later"), true);
        assertThat(r.routedQueues()).isZero();
        Thread.sleep(50);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(r.confirmed()).as("not confirmed before the held copy is durable").isNotDone();
        store.finish();
        assertThat(r.confirmed().get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aConfirmForAMessageThatReachedAQueueAndADelayedExchangeWaitsForBothWrites() throws Exception {
        vhost.declareExchange(new ExchangeSpec("in", "fanout", true, false, false, Map.of()), false);
        vhost.declareQueue(QueueSpec.durable("now"), null, false);
        vhost.bind(Binding.toQueue("in", "now", "", Map.of()), null);
        vhost.bind(Binding.toExchange("in", "later", "", Map.of()), null);
        PublishResult r = vhost.publish(delayed("in"), true);
        assertThat(r.routedQueues()).as("the queue bound directly").isEqualTo(1);
        Thread.sleep(50);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(r.confirmed()).as("the queue's copy is durable, the held one is not").isNotDone();
        store.finish();
        assertThat(r.confirmed().get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFailedHeldWriteIsANack() throws Exception {
        PublishResult r = vhost.publish(delayed("later"), true);
        store.fail();
        assertThat(r.confirmed().get(5, TimeUnit.SECONDS)).isFalse();
        DelayedExchange x = (DelayedExchange) vhost.exchange("later").orElseThrow();
        assertThat(x.pending()).as("a message that was not stored is not pending").isZero();
    }

    @Test
    void aHeldMessageWhoseReadFailsIsReleasedWhenTheReadWorksAgain() throws Exception {
        MessageProperties props = MessageProperties.builder().deliveryMode(2).header("x-delay", 50).build();
        PublishResult r = vhost.publish(new Message("later", "k", props, "soon".getBytes()), true);
        store.failingReads.set(2);
        long start = System.nanoTime();
        store.finish();
        assertThat(r.confirmed().get(5, TimeUnit.SECONDS)).isTrue();
        Queue soon = vhost.queue("soon").orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (soon.messageCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(soon.messageCount()).as("released after the failed reads").isEqualTo(1);
        assertThat(System.nanoTime() - start).as("a pause after each failure, not a busy retry")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(store.failingReads.get()).isZero();
    }

    @Test
    void aPublishAfterAHeldOneDoesNotWaitForItsWrite() throws Exception {
        vhost.publish(delayed("later"), true);
        PublishResult plain = vhost.publish(new Message("", "soon",
                MessageProperties.builder().deliveryMode(2).build(), "now".getBytes()), true);
        assertThat(plain.confirmed().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(store.waiting()).isEqualTo(1);
    }
}
