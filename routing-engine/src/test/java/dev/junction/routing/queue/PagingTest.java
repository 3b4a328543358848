package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.QueueKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A durable queue keeps only a small window of ready messages in memory; persistent messages beyond it wait in the
 * store as ids and come back in order as the window drains.
 */
class PagingTest {
    private static final Paging WINDOW_OF_4 = new Paging(4, 1024 * 1024);
    private final EngineFixture f = new EngineFixture(WINDOW_OF_4);

    @AfterEach
    void close() {
        f.close();
    }

    private Queue durable(String name, Map<String, Object> args) {
        return f.declare(new QueueSpec(name, true, false, false, args));
    }

    private void publish(String queue, String body, boolean persistent) {
        MessageProperties props = persistent ? MessageProperties.builder().deliveryMode(2).build()
                : MessageProperties.EMPTY;
        await(f.publish(new Message("", queue, props, body.getBytes(StandardCharsets.UTF_8)), true).confirmed());
    }

    private static List<String> numbered(int from, int to) {
        List<String> list = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            list.add("m" + i);
        }
        return list;
    }

    @Test
    void messagesBeyondTheWindowWaitOnDiskOnlyAndAreCounted() {
        Queue q = durable("big", Map.of());
        for (int i = 1; i <= 100; i++) {
            publish("big", "m" + i, true);
        }
        eventually("counts settle", () -> q.messageCount() == 100);
        assertThat(q.pagedCount()).isEqualTo(96);
        assertThat(q.messageBytes()).isGreaterThanOrEqualTo(100 * 2);
        assertThat(f.registry.get("junction.queue.messages.paged").tag("queue", "big").gauge().value())
                .isEqualTo(96.0);
    }

    @Test
    void aConsumerDrainsTheBacklogInPublishOrder() {
        Queue q = durable("big", Map.of());
        for (int i = 1; i <= 50; i++) {
            publish("big", "m" + i, true);
        }
        RecordingSink sink = f.consume(q, "c", new Prefetch(3, 0));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            var d = sink.next();
            got.add(body(d));
            EngineFixture.ack(d);
        }
        assertThat(got).isEqualTo(numbered(1, 50));
        eventually("queue empties", () -> q.messageCount() == 0 && q.unackedCount() == 0);
        assertThat(f.store.count(q.key())).isZero();
    }

    @Test
    void transientMessagesArrivingBehindABacklogKeepTheirPlace() {
        Queue q = durable("mixed", Map.of());
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            publish("mixed", "m" + i, i % 3 != 0); // every third is transient and cannot be paged out
            expected.add("m" + i);
        }
        eventually("all counted", () -> q.messageCount() == 30);
        RecordingSink sink = f.consume(q, "c");
        List<String> got = sink.nextBodies(30);
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void getPagesInWhenTheWindowIsEmpty() {
        Queue q = durable("polled", Map.of());
        for (int i = 1; i <= 12; i++) {
            publish("polled", "m" + i, true);
        }
        List<String> got = new ArrayList<>();
        Delivery d;
        while ((d = await(q.get(true))) != null) {
            got.add(body(d));
        }
        assertThat(got).isEqualTo(numbered(1, 12));
        assertThat(q.messageCount()).isZero();
    }

    @Test
    void purgeForgetsTheBacklogInTheStoreToo() {
        Queue q = durable("purged", Map.of());
        for (int i = 1; i <= 40; i++) {
            publish("purged", "m" + i, true);
        }
        assertThat(await(q.purge())).isEqualTo(40);
        assertThat(q.messageCount()).isZero();
        assertThat(f.store.count(q.key())).isZero();
        publish("purged", "after", true);
        assertThat(body(await(q.get(true)))).isEqualTo("after");
    }

    @Test
    void maxLengthDropHeadCountsTheBacklogAndDropsTheOldest() {
        Queue q = durable("capped", Map.of("x-max-length", 10L));
        for (int i = 1; i <= 25; i++) {
            publish("capped", "m" + i, true);
        }
        eventually("capped at 10", () -> q.messageCount() == 10);
        RecordingSink sink = f.consume(q, "c");
        assertThat(sink.nextBodies(10)).isEqualTo(numbered(16, 25));
        assertThat(f.store.count(q.key())).isEqualTo(10); // delivered, not yet acked
    }

    @Test
    void messageTtlStillExpiresMessagesThatWaitedOnDisk() throws Exception {
        Queue q = durable("short-lived", Map.of("x-message-ttl", 100L));
        for (int i = 1; i <= 20; i++) {
            publish("short-lived", "m" + i, true);
        }
        Thread.sleep(150);
        eventually("all expired", () -> {
            q.kick();
            return q.messageCount() == 0;
        });
        eventually("store emptied", () -> f.store.count(q.key()) == 0);
    }

    @Test
    void queuesWithPrioritiesKeepEverythingInMemory() {
        Queue q = durable("ranked", Map.of("x-max-priority", 5L));
        for (int i = 1; i <= 20; i++) {
            publish("ranked", "m" + i, true);
        }
        eventually("all counted", () -> q.messageCount() == 20);
        assertThat(q.pagedCount()).isZero();
    }

    @Test
    void aRestartRestoresALongQueueAsIdsAndDeliversItInOrderAsRedelivered() throws Exception {
        Queue q = durable("kept", Map.of());
        for (int i = 1; i <= 60; i++) {
            publish("kept", "m" + i, true);
        }
        QueueKey key = q.key();
        f.engine.close();
        try (RoutingEngine second = new RoutingEngine(f.store, new SimpleMeterRegistry(), 1, WINDOW_OF_4)) {
            second.recover();
            Queue kept = second.vhost("/").orElseThrow().queue("kept").orElseThrow();
            eventually("restored", () -> kept.messageCount() == 60);
            assertThat(kept.pagedCount()).isGreaterThanOrEqualTo(56);
            List<String> got = new ArrayList<>();
            Delivery d;
            while ((d = await(kept.get(true))) != null) {
                assertThat(d.redelivered()).isTrue();
                got.add(body(d));
            }
            assertThat(got).isEqualTo(numbered(1, 60));
            eventually("store emptied", () -> f.store.count(key) == 0);
        }
    }

    @Test
    void readingBackRespectsTheWindowsByteLimitNotJustItsCount() throws Exception {
        try (EngineFixture small = new EngineFixture(new Paging(2048, 300 * 1024))) {
            Queue q = small.declare(new QueueSpec("big-bodies", true, false, false, Map.of()));
            MessageProperties persistent = MessageProperties.builder().deliveryMode(2).build();
            for (int i = 0; i < 50; i++) {
                await(small.publish(new Message("", "big-bodies", persistent, new byte[100 * 1024]), true)
                        .confirmed());
            }
            RecordingSink sink = small.consume(q, "slow", new Prefetch(1, 0));
            sink.next(); // unacknowledged: the window refills behind it and stops there
            eventually("settled", () -> q.unackedCount() == 1);
            int inMemory = q.messageCount() - q.pagedCount();
            assertThat(inMemory).as("ready messages held in memory").isBetween(1, 4);
        }
    }

    @Test
    void messageTtlRunsFromTheRestartForMessagesRestoredToDisk() throws Exception {
        Queue q = durable("ttl-kept", Map.of("x-message-ttl", 300L));
        for (int i = 1; i <= 20; i++) {
            publish("ttl-kept", "m" + i, true);
        }
        f.engine.close();
        try (RoutingEngine second = new RoutingEngine(f.store, new SimpleMeterRegistry(), 1, WINDOW_OF_4)) {
            second.recover();
            Queue kept = second.vhost("/").orElseThrow().queue("ttl-kept").orElseThrow();
            // No consumer and no publisher: only the queue's own timer can expire them.
            eventually("all expired after the restart", () -> kept.messageCount() == 0);
            eventually("and gone from the store", () -> f.store.count(q.key()) == 0);
        }
    }

    @Test
    void aQueueDeletedWhileBusyLeavesTheStoreBeforeItsNameCanBeTakenAgain() {
        Queue q = durable("reused", Map.of());
        for (int i = 1; i <= 20; i++) {
            publish("reused", "old" + i, true);
        }
        for (int i = 0; i < 20_000; i++) {
            f.publish("", "reused", "busy"); // keeps the old queue's mailbox busy
        }
        f.vhost.deleteQueue("reused", false, false, EngineFixture.OWNER);
        // The old queue's own delete task may not have run yet; its references are gone all the same.
        assertThat(f.store.count(q.key())).isZero();

        Queue again = durable("reused", Map.of());
        for (int i = 1; i <= 10; i++) {
            publish("reused", "new" + i, true);
        }
        RecordingSink sink = f.consume(again, "c");
        assertThat(sink.nextBodies(10)).isEqualTo(numberedAs("new", 10));
    }

    private static List<String> numberedAs(String prefix, int n) {
        List<String> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(prefix + i);
        }
        return list;
    }
}
