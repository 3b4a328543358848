package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Settlement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue arguments (x-*) that govern a message's life: TTL, expiry, length limits, dead-lettering. */
class QueueArgumentsTest extends QueueTestBase {

    // ---- message TTL ----------------------------------------------------------------------------------------

    @Test
    void messageTtlExpiresMessagesAndDeadLettersThemWithReasonExpiredAndAnXDeathTable() {
        RecordingSink dlq = deadLetterQueue();
        Queue work = fx.declare("work", args("x-message-ttl", 50, "x-dead-letter-exchange", "dlx"));
        fx.declareExchange("in", ExchangeType.DIRECT);
        fx.bindQueue("in", "work", "k");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        fx.publish("in", "k", "m1");

        Delivery d = dlq.next();
        Instant after = Instant.now();
        assertThat(body(d)).isEqualTo("m1");
        assertThat(d.message().exchange()).isEqualTo("dlx");
        assertThat(d.message().routingKey()).isEqualTo("k");
        List<Map<String, Object>> deaths = xDeath(d.message());
        assertThat(deaths).hasSize(1);
        Map<String, Object> death = deaths.get(0);
        assertThat(death).containsEntry("queue", "work")
                .containsEntry("reason", "expired")
                .containsEntry("count", 1L)
                .containsEntry("exchange", "in")
                .containsEntry("routing-keys", List.of("k"))
                .doesNotContainKey("original-expiration");
        assertThat(death.get("time")).isInstanceOf(Instant.class);
        assertThat((Instant) death.get("time")).isBetween(before, after);
        assertThat(d.message().properties().headers())
                .containsEntry("x-first-death-queue", "work")
                .containsEntry("x-first-death-reason", "expired")
                .containsEntry("x-first-death-exchange", "in");
        assertThat(await(work.get(false))).as("the expired message left the queue").isNull();
    }

    @Test
    void perMessageExpirationExpiresTheMessageAndIsRecordedAsOriginalExpiration() {
        RecordingSink dlq = deadLetterQueue();
        fx.declare("work", args("x-dead-letter-exchange", "dlx"));

        fx.publish("", "work", expiration("50"), "m1");

        Delivery d = dlq.next();
        assertThat(body(d)).isEqualTo("m1");
        assertThat(deathOf(d.message(), "work", "expired")).containsEntry("original-expiration", "50");
        assertThat(d.message().properties().expiration())
                .as("the dead-lettered copy must not expire again").isNull();
    }

    /** An expiration is a number of milliseconds; one too large to add to the clock is not one in the past. */
    @Test
    void anExpirationTooLargeToAddToTheClockDoesNotExpireTheMessage() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("far", args("x-dead-letter-exchange", "dlx"));

        assertThat(await(fx.publish(EngineFixture.message("", "far", expiration("9223372036854775000"), "m1"), true)
                .confirmed())).isTrue();

        Delivery d = await(q.get(true));
        assertThat(d).as("still in the queue, not expired").isNotNull();
        assertThat(body(d)).isEqualTo("m1");
        dlq.none(200); // nothing dead-lettered as expired
    }

    @Test
    void theLowerOfQueueTtlAndMessageExpirationWins() {
        RecordingSink dlq = deadLetterQueue();
        fx.declare("short-queue-ttl", args("x-message-ttl", 50, "x-dead-letter-exchange", "dlx"));
        fx.declare("long-queue-ttl", args("x-message-ttl", 600_000, "x-dead-letter-exchange", "dlx"));

        fx.publish("", "short-queue-ttl", expiration("600000"), "queue-ttl-wins");
        fx.publish("", "long-queue-ttl", expiration("50"), "message-expiration-wins");

        // Both must expire long before the longer of the two limits (10 minutes).
        assertThat(dlq.nextBodies(2)).containsExactlyInAnyOrder("queue-ttl-wins", "message-expiration-wins");
    }

    @Test
    void ttlZeroWithNoConsumerDropsTheMessageAtOnce() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("zero", args("x-message-ttl", 0, "x-dead-letter-exchange", "dlx"));

        assertThat(await(fx.publish(EngineFixture.message("", "zero", null, "m1"), true).confirmed())).isTrue();

        Delivery d = dlq.next();
        assertThat(body(d)).isEqualTo("m1");
        assertThat(deathOf(d.message(), "zero", "expired")).containsEntry("count", 1L);
        assertThat(await(q.get(false))).isNull();
    }

    /** RabbitMQ: "a TTL of 0 expires messages on reaching the queue unless they can be delivered at once". */
    @Test
    void ttlZeroStillDeliversToAConsumerThatCanTakeTheMessageAtOnce() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("zero", args("x-message-ttl", 0, "x-dead-letter-exchange", "dlx"));
        RecordingSink consumer = fx.consume(q, "c");

        fx.publish("", "zero", "m1");

        assertThat(body(consumer.next())).isEqualTo("m1");
        dlq.none();
    }

    // ---- queue expiry ---------------------------------------------------------------------------------------

    @Test
    void expiresDeletesAQueueThatStaysUnused() {
        long declared = System.nanoTime();
        fx.declare("idle", args("x-expires", 200));

        eventually("the idle queue is deleted", () -> fx.vhost.queue("idle").isEmpty());
        assertThat((System.nanoTime() - declared) / 1_000_000)
                .as("deleted only after its x-expires period").isGreaterThanOrEqualTo(150);
    }

    @Test
    void expiresDoesNotDeleteAQueueThatHasAConsumer() throws InterruptedException {
        Queue q = fx.declare("watched", args("x-expires", 100));
        RecordingSink consumer = fx.consume(q, "c");

        Thread.sleep(400); // four x-expires periods: the negative check needs a real wait
        assertThat(fx.vhost.queue("watched")).contains(q);

        await(consumer.consumer.cancel());
        eventually("the queue is deleted once unused", () -> fx.vhost.queue("watched").isEmpty());
    }

    // ---- length limits --------------------------------------------------------------------------------------

    @Test
    void maxLengthDropHeadDropsTheOldestAndDeadLettersItAsMaxlen() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("bounded", args("x-max-length", 2, "x-dead-letter-exchange", "dlx"));

        fx.publish("", "bounded", "m1");
        fx.publish("", "bounded", "m2");
        fx.publish("", "bounded", "m3");

        Delivery dropped = dlq.next();
        assertThat(body(dropped)).isEqualTo("m1");
        assertThat(deathOf(dropped.message(), "bounded", "maxlen")).containsEntry("count", 1L);
        dlq.none();
        assertThat(body(await(q.get(true)))).isEqualTo("m2");
        assertThat(body(await(q.get(true)))).isEqualTo("m3");
        assertThat(await(q.get(true))).isNull();
    }

    @Test
    void aRequeuePastMaxLengthDropsTheHeadAsMaxlen() {
        // RabbitMQ drop-head: the limit holds after a requeue (nack, reject, channel close) as after a publish
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("bounded", args("x-max-length", 2, "x-dead-letter-exchange", "dlx"));
        fx.publish("", "bounded", "m1");
        fx.publish("", "bounded", "m2");
        Delivery m1 = await(q.get(false));
        fx.publish("", "bounded", "m3");
        eventually("m3 enqueued", () -> q.messageCount() == 2); // settles overtake waiting enqueues

        q.settle(m1.deliveryId(), Settlement.REQUEUE); // m1 back at the head: three ready, limit two

        Delivery dropped = dlq.next();
        assertThat(body(dropped)).isEqualTo("m1");
        assertThat(deathOf(dropped.message(), "bounded", "maxlen")).containsEntry("count", 1L);
        assertThat(body(await(q.get(true)))).isEqualTo("m2");
        assertThat(body(await(q.get(true)))).isEqualTo("m3");
        assertThat(await(q.get(true))).isNull();
    }

    @Test
    void maxLengthBytesDropHeadDropsTheOldestAndDeadLettersItAsMaxlen() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("bounded", args("x-max-length-bytes", 10, "x-dead-letter-exchange", "dlx"));

        fx.publish("", "bounded", "aaaa");
        fx.publish("", "bounded", "bbbb");
        fx.publish("", "bounded", "cccc"); // 12 bytes > 10: the oldest goes

        Delivery dropped = dlq.next();
        assertThat(body(dropped)).isEqualTo("aaaa");
        assertThat(deathOf(dropped.message(), "bounded", "maxlen")).containsEntry("count", 1L);
        dlq.none();
        assertThat(q.messageBytes()).isEqualTo(8);
        assertThat(body(await(q.get(true)))).isEqualTo("bbbb");
        assertThat(body(await(q.get(true)))).isEqualTo("cccc");
    }

    @Test
    void rejectPublishOverflowNacksThePublisherAndKeepsTheQueueAtItsLimit() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("bounded", args("x-max-length", 2, "x-overflow", "reject-publish",
                "x-dead-letter-exchange", "dlx"));

        assertThat(await(fx.publish(EngineFixture.message("", "bounded", null, "m1"), true).confirmed())).isTrue();
        assertThat(await(fx.publish(EngineFixture.message("", "bounded", null, "m2"), true).confirmed())).isTrue();
        assertThat(await(fx.publish(EngineFixture.message("", "bounded", null, "m3"), true).confirmed()))
                .as("the third publish is nacked").isFalse();

        assertThat(body(await(q.get(true)))).isEqualTo("m1");
        assertThat(body(await(q.get(true)))).isEqualTo("m2");
        assertThat(await(q.get(true))).isNull();
        dlq.none(); // plain reject-publish does not dead-letter
    }

    @Test
    void rejectPublishDlxOverflowNacksThePublisherAndDeadLettersTheRejectedMessage() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("bounded", args("x-max-length", 1, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "dlx"));

        assertThat(await(fx.publish(EngineFixture.message("", "bounded", null, "m1"), true).confirmed())).isTrue();
        assertThat(await(fx.publish(EngineFixture.message("", "bounded", null, "m2"), true).confirmed())).isFalse();

        Delivery rejected = dlq.next();
        assertThat(body(rejected)).isEqualTo("m2");
        assertThat(deathOf(rejected.message(), "bounded", "maxlen")).containsEntry("count", 1L);
        assertThat(body(await(q.get(true)))).isEqualTo("m1");
        assertThat(await(q.get(true))).isNull();
    }

    // ---- dead-lettering -------------------------------------------------------------------------------------

    @Test
    void deadLetterRoutingKeyReplacesTheRoutingKey() {
        fx.declareExchange("dlx-direct", ExchangeType.DIRECT);
        Queue dlq = fx.declare("dlq");
        fx.bindQueue("dlx-direct", "dlq", "dead");
        RecordingSink sink = fx.consume(dlq, "c");
        fx.declare("work", args("x-message-ttl", 20, "x-dead-letter-exchange", "dlx-direct",
                "x-dead-letter-routing-key", "dead"));

        fx.publish("", "work", "m1");

        Delivery d = sink.next();
        assertThat(d.message().routingKey()).isEqualTo("dead");
        assertThat(deathOf(d.message(), "work", "expired")).containsEntry("routing-keys", List.of("work"));
    }

    /** A common retry set-up: dead-letter through the default exchange straight to a named queue. */
    @Test
    void deadLetteringThroughTheDefaultExchangeRoutesByTheDeadLetterRoutingKey() {
        Queue dlq = fx.declare("dlq");
        RecordingSink sink = fx.consume(dlq, "c");
        fx.declare("work", args("x-message-ttl", 20, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", "dlq"));

        fx.publish("", "work", "m1");

        Delivery d = sink.next();
        assertThat(body(d)).isEqualTo("m1");
        assertThat(deathOf(d.message(), "work", "expired")).containsEntry("count", 1L);
    }

    @Test
    void aMessageDeadLetteredTwiceThroughTheSameQueueForTheSameReasonHasOneXDeathEntryWithCountTwo() {
        // A rejects -> to-b -> B (ttl) expires -> to-a -> A, twice round.
        fx.declareExchange("to-b", ExchangeType.FANOUT);
        fx.declareExchange("to-a", ExchangeType.FANOUT);
        Queue a = fx.declare("A", args("x-dead-letter-exchange", "to-b"));
        fx.declare("B", args("x-message-ttl", 20, "x-dead-letter-exchange", "to-a"));
        fx.bindQueue("to-b", "B", "");
        fx.bindQueue("to-a", "A", "");
        RecordingSink consumer = fx.consume(a, "c");

        fx.publish("", "A", "job");
        Delivery first = consumer.next();
        assertThat(first.message().properties().header("x-death")).isNull();
        EngineFixture.settle(Settlement.DISCARD, first);

        Delivery second = consumer.next();
        assertThat(deathOf(second.message(), "A", "rejected")).containsEntry("count", 1L);
        assertThat(deathOf(second.message(), "B", "expired")).containsEntry("count", 1L);
        EngineFixture.settle(Settlement.DISCARD, second);

        Delivery third = consumer.next();
        assertThat(body(third)).isEqualTo("job");
        assertThat(xDeath(third.message())).hasSize(2);
        assertThat(deathOf(third.message(), "A", "rejected")).containsEntry("count", 2L);
        assertThat(deathOf(third.message(), "B", "expired")).containsEntry("count", 2L);
        assertThat(xDeath(third.message()).get(0)).as("most recent death first")
                .containsEntry("queue", "B");
        assertThat(third.message().properties().headers())
                .containsEntry("x-first-death-queue", "A")
                .containsEntry("x-first-death-reason", "rejected")
                .containsEntry("x-last-death-queue", "B")
                .containsEntry("x-last-death-reason", "expired");
        EngineFixture.ack(third);
    }

    @Test
    void aPureExpiryCycleDropsTheMessageInsteadOfLooping() {
        // "loop" dead-letters to itself; "watch" sees every copy that goes through "loopx".
        fx.declareExchange("loopx", ExchangeType.FANOUT);
        Queue loop = fx.declare("loop", args("x-message-ttl", 30, "x-dead-letter-exchange", "loopx"));
        Queue watch = fx.declare("watch");
        fx.bindQueue("loopx", "loop", "");
        fx.bindQueue("loopx", "watch", "");
        RecordingSink watcher = fx.consume(watch, "w");

        fx.publish("", "loop", "m1");

        Delivery d = watcher.next();
        assertThat(deathOf(d.message(), "loop", "expired")).containsEntry("count", 1L);
        watcher.none(300); // a loop would produce another copy every 30 ms
        assertThat(await(loop.get(true))).isNull();
    }
}
