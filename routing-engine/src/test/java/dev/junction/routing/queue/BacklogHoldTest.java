package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.PublishResult;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Holding publishers while a queue's ready messages wait for consumers that could take them: the policy alone, then
 * a queue whose consumer's connection cannot keep up (its sink says not ready).
 */
class BacklogHoldTest extends QueueTestBase {

    @Test
    void holdsPastHighWhileAConsumerHasCreditAndGoesOnAtLow() {
        AtomicBoolean credit = new AtomicBoolean(true);
        BacklogHold hold = new BacklogHold(credit::get);

        assertThat(hold.update(BacklogHold.HIGH)).isFalse();
        assertThat(hold.update(BacklogHold.HIGH + 1)).isTrue();
        assertThat(hold.update(BacklogHold.LOW + 1)).as("hysteresis: held until LOW").isTrue();
        assertThat(hold.update(BacklogHold.LOW)).isFalse();
        assertThat(hold.update(BacklogHold.HIGH)).as("not again before HIGH").isFalse();
    }

    @Test
    void aConsumerWithoutCreditNeitherStartsNorKeepsAHold() {
        AtomicBoolean credit = new AtomicBoolean(false);
        BacklogHold hold = new BacklogHold(credit::get);

        assertThat(hold.update(10 * BacklogHold.HIGH)).as("its acknowledgements may be what the hold stops").isFalse();
        credit.set(true);
        assertThat(hold.update(10 * BacklogHold.HIGH)).isTrue();
        credit.set(false);
        assertThat(hold.update(10 * BacklogHold.HIGH)).isFalse();
    }

    @Test
    void creditIsOnlyAskedForPastHighAndAResetEndsTheHold() {
        AtomicInteger asked = new AtomicInteger();
        BacklogHold hold = new BacklogHold(() -> asked.incrementAndGet() > 0);
        for (int ready = 0; ready <= BacklogHold.HIGH; ready++) {
            hold.update(ready);
        }
        assertThat(asked).as("below HIGH a change costs a comparison").hasValue(0);
        assertThat(hold.update(BacklogHold.HIGH + 1)).isTrue();
        hold.reset();
        assertThat(hold.on()).isFalse();
    }

    @Test
    void aQueueHoldsItsPublishersWhileItsConsumerIsFedTooSlowlyAndLetsThemGoOnceItCaughtUp() {
        Queue q = fx.declare("slow");
        RecordingSink sink = fx.consume(q, "c"); // manual ack, no prefetch: always credit
        sink.ready = false; // its connection's writes are behind

        int n = BacklogHold.HIGH + 10;
        publish("slow", bodies(n));
        eventually("all queued", () -> q.messageCount() == n);
        assertThat(q.congested()).isTrue();
        PublishResult next = fx.publish("", "slow", "one more");
        assertThat(next.congested()).isTrue();
        AtomicInteger relieved = new AtomicInteger();
        next.whenRelieved(relieved::incrementAndGet);

        sink.ready = true;
        sink.consumer.resume(); // writes caught up: the queue delivers everything
        assertThat(sink.next(n + 1)).hasSize(n + 1);
        eventually("publishers relieved", () -> relieved.get() == 1);
        assertThat(q.congested()).isFalse();
    }

    @Test
    void aConsumerWhosePrefetchIsUsedUpDoesNotHoldPublishersSoItsOwnAcknowledgementsCanArrive() {
        Queue q = fx.declare("busy");
        RecordingSink sink = fx.consume(q, "c", new Prefetch(10, 0));
        int n = 10 + BacklogHold.HIGH + 10;
        publish("busy", bodies(n));
        assertThat(sink.next(10)).hasSize(10);
        eventually("the rest queued", () -> q.messageCount() == n - 10);
        assertThat(q.congested()).as("a hold would also stop the reads that carry its acks").isFalse();
    }

    @Test
    void theHoldEndsWhenTheConsumersUseUpTheirCreditWithoutAnyAcknowledgement() {
        Queue q = fx.declare("limited");
        RecordingSink sink = fx.consume(q, "c", new Prefetch(100, 0));
        sink.ready = false;
        int n = BacklogHold.HIGH + 10;
        publish("limited", bodies(n));
        eventually("all queued", () -> q.messageCount() == n);
        assertThat(q.congested()).isTrue();

        sink.ready = true;
        sink.consumer.resume();
        assertThat(sink.next(100)).hasSize(100);
        eventually("released with the backlog still past LOW", () -> !q.congested());
        assertThat(q.messageCount()).isGreaterThan(BacklogHold.LOW);
    }

    @Test
    void aQueueWithoutConsumersNeverHoldsForItsBacklog() {
        Queue q = fx.declare("idle");
        int n = BacklogHold.HIGH + 10;
        publish("idle", bodies(n));
        eventually("all queued", () -> q.messageCount() == n);
        assertThat(q.congested()).isFalse();
    }

    private static String[] bodies(int n) {
        String[] b = new String[n];
        for (int i = 0; i < n; i++) {
            b[i] = "m" + i;
        }
        return b;
    }
}
