package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Consumer;
import dev.junction.routing.queue.Prefetch;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A running engine with an in-memory store and one vhost "/", plus short helpers for tests. Queue operations are
 * asynchronous: wait on their futures with {@link #await}, on deliveries with {@link RecordingSink#next()}, and on
 * anything else with {@link #eventually}.
 */
public final class EngineFixture implements AutoCloseable {
    /** The connection every helper declares and consumes as, unless a test passes its own owner. */
    public static final Object OWNER = new Object();
    public static final long TIMEOUT_MS = 15_000;

    public final InMemoryMessageStore store = new InMemoryMessageStore();
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final RoutingEngine engine;
    public final VirtualHost vhost;

    public EngineFixture() {
        this(dev.junction.routing.queue.Paging.DEFAULT);
    }

    /** An engine whose durable queues keep the given window of messages in memory. */
    public EngineFixture(dev.junction.routing.queue.Paging paging) {
        engine = new RoutingEngine(store, registry, 2, paging);
        vhost = engine.createVhost("/");
    }

    // ---- declarations ---------------------------------------------------------------------------------------

    public Queue declare(QueueSpec spec) {
        return vhost.declareQueue(spec, OWNER, false);
    }

    /** A transient, non-exclusive queue with the given arguments. */
    public Queue declare(String name, Map<String, Object> arguments) {
        return declare(new QueueSpec(name, false, false, false, arguments));
    }

    public Queue declare(String name) {
        return declare(name, Map.of());
    }

    /** A transient exchange. */
    public Exchange declareExchange(String name, ExchangeType type) {
        return vhost.declareExchange(new ExchangeSpec(name, type.wireName(), false, false, false, Map.of()), false);
    }

    public void bindQueue(String exchange, String queue, String routingKey) {
        vhost.bind(Binding.toQueue(exchange, queue, routingKey, Map.of()), OWNER);
    }

    // ---- publishing -----------------------------------------------------------------------------------------

    public PublishResult publish(String exchange, String routingKey, String body) {
        return publish(message(exchange, routingKey, MessageProperties.EMPTY, body), false);
    }

    public PublishResult publish(String exchange, String routingKey, MessageProperties properties, String body) {
        return publish(message(exchange, routingKey, properties, body), false);
    }

    public PublishResult publish(Message message, boolean confirm) {
        return vhost.publish(message, confirm);
    }

    public static Message message(String exchange, String routingKey, MessageProperties properties, String body) {
        return new Message(exchange, routingKey, properties, body.getBytes(StandardCharsets.UTF_8));
    }

    public static String body(Delivery d) {
        return new String(d.message().body(), StandardCharsets.UTF_8);
    }

    public static String body(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    // ---- consuming ------------------------------------------------------------------------------------------

    public Consumer consume(Queue queue, ConsumerSpec spec, DeliverySink sink) {
        return await(queue.consume(spec, sink));
    }

    /** A manual-ack consumer with the given limits (none: unlimited); its deliveries go to the returned sink. */
    public RecordingSink consume(Queue queue, String tag, Prefetch... limits) {
        RecordingSink sink = new RecordingSink();
        sink.consumer = consume(queue, ConsumerSpec.of(tag, false, limits), sink);
        return sink;
    }

    public static void ack(Delivery... deliveries) {
        settle(Settlement.ACK, deliveries);
    }

    /** Settles deliveries of one queue in one call, in the order given. */
    public static void settle(Settlement how, Delivery... deliveries) {
        long[] ids = new long[deliveries.length];
        for (int i = 0; i < deliveries.length; i++) {
            ids[i] = deliveries[i].deliveryId();
        }
        deliveries[0].queue().settle(ids, how);
    }

    // ---- waiting --------------------------------------------------------------------------------------------

    /** Waits up to 15 s for a future; a failure is rethrown as its cause when that is unchecked. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("future failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls {@code condition} until it holds, failing after 15 s. */
    public static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        engine.close();
        store.close();
    }

    /** A sink that records deliveries; {@link #ready} can be switched off to simulate a full socket. */
    public static final class RecordingSink implements DeliverySink {
        private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        public volatile boolean ready = true;
        public volatile boolean cancelled;
        /** Set by {@link EngineFixture#consume(Queue, String, Prefetch...)}. */
        public volatile Consumer consumer;

        @Override
        public void deliver(Delivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public void cancelled(CancelReason why) {
            cancelled = true;
        }

        /** The next delivery, waiting up to 15 s for it. */
        public Delivery next() {
            return nextWithin(TIMEOUT_MS);
        }

        /** The next delivery, waiting up to {@code timeoutMs} for it. */
        public Delivery nextWithin(long timeoutMs) {
            try {
                Delivery d = deliveries.poll(timeoutMs, TimeUnit.MILLISECONDS);
                if (d == null) {
                    fail("no delivery within " + timeoutMs + " ms");
                }
                return d;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** The next {@code n} deliveries, in order. */
        public List<Delivery> next(int n) {
            List<Delivery> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(next());
            }
            return list;
        }

        /** Bodies of the next {@code n} deliveries, in order. */
        public List<String> nextBodies(int n) {
            return next(n).stream().map(EngineFixture::body).toList();
        }

        /** Asserts that nothing is delivered within {@code ms} milliseconds. */
        public void none(long ms) {
            try {
                Delivery d = deliveries.poll(ms, TimeUnit.MILLISECONDS);
                assertThat(d).as("unexpected delivery").isNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** Asserts that nothing is delivered within 200 ms. */
        public void none() {
            none(200);
        }
    }
}
