package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A queue builds its parts when first needed (the ready window with its first message, the pager with a durable
 * queue's first stored message, the unacknowledged table with its first delivery, timers with the first expiry to
 * time, the mailbox's urgent and relief queues with their first task), so an idle queue such as an MQTT session's is
 * small. These tests make each part come late and check the queue behaves as one built up front.
 */
class IdleQueueTest extends QueueTestBase {
    /** Declared as an MQTT session's queue: a length limit that holds its publishers. */
    private Queue sessionLike(String name, boolean durable) {
        return fx.declare(new QueueSpec(name, durable, false, false,
                Map.of("x-max-length", 1000L, QueueSpec.HOLD_PUBLISHERS, true)));
    }

    @Test
    void aQueueThatNeverHeldAMessageDeliversOnePublishedAfterItsConsumerCame() {
        Queue q = sessionLike("session.a", false);
        RecordingSink sink = fx.consume(q, "c", new Prefetch(10, 0));

        publish("session.a", "first");
        Delivery d = sink.next();
        assertThat(body(d)).isEqualTo("first");
        eventually("counted unacknowledged", () -> q.unackedCount() == 1 && q.messageCount() == 0);

        d.settle(Settlement.ACK);
        eventually("settled", () -> q.unackedCount() == 0);
        publish("session.a", "second");
        assertThat(body(sink.next())).isEqualTo("second");
        assertThat(q.stats().count(QueueStats.Count.PUBLISH)).isEqualTo(2);
        assertThat(q.stats().count(QueueStats.Count.DELIVER)).isEqualTo(2);
    }

    @Test
    void aMessageRequeuedToAnEmptyQueueGoesBackToItsConsumer() {
        Queue q = sessionLike("session.b", false);
        RecordingSink sink = fx.consume(q, "c", new Prefetch(10, 0));
        publish("session.b", "m");
        sink.next().settle(Settlement.REQUEUE);
        Delivery again = sink.next();
        assertThat(body(again)).isEqualTo("m");
        assertThat(again.redelivered()).isTrue();
    }

    @Test
    void aDurableQueueTakesItsFirstPersistentMessageAndAPurgeOrDeleteOfAnIdleQueueFindsNothing() {
        Queue durable = sessionLike("session.c", true);
        fx.publish(EngineFixture.message("", "session.c",
                MessageProperties.builder().deliveryMode(MessageProperties.PERSISTENT).build(), "kept"), true);
        eventually("queued", () -> durable.messageCount() == 1);
        assertThat(await(durable.purge())).isEqualTo(1);

        Queue idle = sessionLike("session.d", false);
        assertThat(await(idle.purge())).isZero();
        RecordingSink sink = fx.consume(idle, "c", new Prefetch(10, 0));
        assertThat(await(idle.delete(false, false))).isZero();
        eventually("its consumer told", () -> sink.cancelled);
    }
}
