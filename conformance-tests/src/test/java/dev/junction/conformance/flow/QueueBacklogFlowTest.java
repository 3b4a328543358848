package dev.junction.conformance.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import dev.junction.conformance.BrokerFixture;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Publishers held while a queue's ready messages wait for consumers that could take them (credit flow, as RabbitMQ's
 * between its reader, channel and queue processes), with the stock client: a publisher to a queue whose consumer
 * cannot be fed fast enough is held and let go again, and a client that publishes and consumes with manual
 * acknowledgements on one connection is never held for good, since its acknowledgements come over the socket the
 * hold stops reading. The assertions are on outcomes (everything consumed, the hold counted), not on timing.
 */
class QueueBacklogFlowTest {
    private static final int MESSAGES = 20_000;
    private static final byte[] BODY = new byte[2048];
    private static final long WAIT_SECONDS = 120;

    private static ConnectionFactory factory(BrokerFixture broker) {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        return f;
    }

    @Test
    void aPublisherToAQueueWhoseConsumerFallsBehindIsHeldAndLetGoAndEverythingArrives() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             Connection consuming = factory(broker).newConnection();
             Connection publishing = factory(broker).newConnection()) {
            Channel consumer = consuming.createChannel();
            String q = consumer.queueDeclare().getQueue();
            // The consumer's handler waits: the client's work queue fills, its reader stops and the broker's writes
            // to it back up, while the consumer (no prefetch) still has credit. Its ready messages pile up.
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger received = new AtomicInteger();
            DeliverCallback slow = (tag, d) -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                received.incrementAndGet();
            };
            consumer.basicConsume(q, true, slow, tag -> { });
            Publisher publisher = Publisher.start(publishing.createChannel(), q);

            MeterRegistry registry = broker.broker().registry();
            waitUntil("a publisher was held", () -> holds(registry) > 0);
            go.countDown();
            publisher.finished();
            waitUntil("every message consumed", () -> received.get() == MESSAGES);
            waitUntil("no publisher held any more", () -> held(registry) == 0);
            assertThat(received).hasValue(MESSAGES);
        }
    }

    @Test
    void aClientPublishingAndConsumingWithPrefetchAndManualAckOnOneConnectionIsNeverHeldForGood() throws Exception {
        publishAndConsumeOnOneConnection(50);
    }

    @Test
    void aClientPublishingAndConsumingWithoutPrefetchAndManualAckOnOneConnectionIsNeverHeldForGood()
            throws Exception {
        publishAndConsumeOnOneConnection(0);
    }

    private static void publishAndConsumeOnOneConnection(int prefetch) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection c = factory(broker).newConnection()) {
            Channel consumer = c.createChannel();
            consumer.basicQos(prefetch);
            String q = consumer.queueDeclare().getQueue();
            AtomicInteger received = new AtomicInteger();
            consumer.basicConsume(q, false, (tag, d) -> {
                consumer.basicAck(d.getEnvelope().getDeliveryTag(), false);
                received.incrementAndGet();
            }, tag -> { });
            Publisher publisher = Publisher.start(c.createChannel(), q);

            waitUntil("every message consumed and acknowledged", () -> received.get() == MESSAGES);
            publisher.finished();
            var queue = broker.broker().engine().vhost("/").orElseThrow().queue(q).orElseThrow();
            waitUntil("the last acknowledgements settled", () -> queue.unackedCount() == 0);
            assertThat(queue.messageCount()).isZero();
        }
    }

    /** Publishes {@value #MESSAGES} messages to a queue on its own thread (a held publish blocks in its write). */
    private record Publisher(Thread thread, AtomicReference<Exception> failed) {
        static Publisher start(Channel ch, String queue) {
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        ch.basicPublish("", queue, null, BODY);
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            }, "publisher");
            t.setDaemon(true);
            t.start();
            return new Publisher(t, failed);
        }

        void finished() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(thread.isAlive()).as("publisher still blocked").isFalse();
            assertThat(failed.get()).as("publisher failed").isNull();
        }
    }

    private static double holds(MeterRegistry registry) {
        var counter = registry.find("junction.publishers.holds").tag("vhost", "/").functionCounter();
        return counter == null ? 0 : counter.count();
    }

    private static double held(MeterRegistry registry) {
        var gauge = registry.find("junction.publishers.held").tag("vhost", "/").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    /** Waits for an outcome; the bound is only there so that a broken broker fails the test instead of hanging it. */
    private static void waitUntil(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
