package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.ack;
import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static dev.junction.routing.EngineFixture.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.policy.RetryDelays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Redeliveries}: x-delivery-limit and x-delivery-count as RabbitMQ's quorum queues define them ("Poison
 * Message Handling"), on a classic queue, and Junction's x-retry-delays.
 */
class RedeliveriesTest extends QueueTestBase {

    @Test
    void aMessageReturnedMoreThanTheLimitIsDeadLetteredAsDeliveryLimitAndRedeliveriesCarryTheCount() {
        RecordingSink dlq = deadLetterQueue();
        Queue q = fx.declare("q", args("x-delivery-limit", 2, "x-dead-letter-exchange", "dlx"));
        RecordingSink c = fx.consume(q, "c");
        publish("q", "poison");

        Delivery first = c.next();
        assertThat(first.message().properties().header(Redeliveries.DELIVERY_COUNT)).isNull();
        settle(Settlement.REQUEUE, first);
        Delivery second = c.next();
        assertThat(second.message().properties().header(Redeliveries.DELIVERY_COUNT)).isEqualTo(1L);
        settle(Settlement.REQUEUE, second);
        Delivery third = c.next();
        assertThat(third.message().properties().header(Redeliveries.DELIVERY_COUNT)).isEqualTo(2L);
        settle(Settlement.REQUEUE, third); // the third return is past a limit of 2

        Delivery dead = dlq.next();
        assertThat(body(dead)).isEqualTo("poison");
        assertThat(deathOf(dead.message(), "q", DeadLetters.DELIVERY_LIMIT).get("count")).isEqualTo(1L);
        c.none();
        eventually("nothing left", () -> q.messageCount() == 0 && q.unackedCount() == 0);
    }

    @Test
    void aLimitOfZeroDeadLettersOnTheFirstReturnAndWithoutADeadLetterExchangeTheMessageIsDropped() {
        Queue q = fx.declare("q", args("x-delivery-limit", 0));
        RecordingSink c = fx.consume(q, "c");
        publish("q", "m");
        settle(Settlement.REQUEUE, c.next());
        c.none();
        eventually("nothing left", () -> q.messageCount() == 0 && q.unackedCount() == 0);
    }

    @Test
    void aQueueWithoutTheArgumentsDeliversRedeliveriesUnchanged() {
        Queue q = fx.declare("q");
        RecordingSink c = fx.consume(q, "c");
        publish("q", "m");
        settle(Settlement.REQUEUE, c.next());
        Delivery again = c.next();
        assertThat(again.redelivered()).isTrue();
        assertThat(again.message().properties().header(Redeliveries.DELIVERY_COUNT)).isNull();
    }

    @Test
    void aReturnedMessageWaitsItsDelayWithoutHoldingBackTheMessagesBehindIt() {
        Queue q = fx.declare("q", args("x-retry-delays", "300ms"));
        RecordingSink c = fx.consume(q, "c");
        publish("q", "slow");
        Delivery slow = c.next();
        long returnedAt = System.nanoTime();
        settle(Settlement.REQUEUE, slow);
        publish("q", "behind");

        Delivery behind = c.next();
        assertThat(body(behind)).isEqualTo("behind");
        eventually("'behind' delivered and 'slow' waiting count as unacknowledged", () -> q.unackedCount() == 2);
        ack(behind);
        Delivery again = c.next();
        assertThat(body(again)).isEqualTo("slow");
        assertThat((System.nanoTime() - returnedAt) / 1_000_000).isGreaterThanOrEqualTo(290);
        assertThat(again.message().properties().header(Redeliveries.DELIVERY_COUNT)).isEqualTo(1L);
    }

    @Test
    void retryDelaysFollowTheAttemptAndTheLastOneRepeats() {
        RetryDelays d = RetryDelays.parse("1s, 10s,1m");
        assertThat(d.millis()).containsExactly(1000L, 10_000L, 60_000L);
        assertThat(List.of(d.delayFor(1), d.delayFor(2), d.delayFor(3), d.delayFor(7)))
                .containsExactly(1000L, 10_000L, 60_000L, 60_000L);
        assertThat(RetryDelays.parse("250,2h").millis()).containsExactly(250L, 7_200_000L);
        assertThat(RetryDelays.parse("")).isNull();
        assertThat(RetryDelays.parse("1s,,2s")).isNull();
        assertThat(RetryDelays.parse("-1s")).isNull();
        assertThat(RetryDelays.parse("1d")).isNull();
    }

    @Test
    void badValuesAreRefusedWithRabbitMqsInvalidArgText() {
        assertThatThrownBy(() -> fx.declare("a", args("x-delivery-limit", -1)))
                .isInstanceOf(BrokerException.class)
                .hasMessage("invalid arg 'x-delivery-limit' for queue 'a' in vhost '/': must not be negative, got -1");
        assertThatThrownBy(() -> fx.declare("b", args("x-consumer-timeout", "soon")))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("invalid arg 'x-consumer-timeout'");
        assertThatThrownBy(() -> fx.declare("c", args("x-retry-delays", "1s,x")))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("invalid arg 'x-retry-delays'");
    }

    @Test
    void policyKeysApplyAndTheLowerLimitAndTimeoutWin() {
        Queue q = fx.declare("q", args("x-delivery-limit", 5, "x-consumer-timeout", 60_000));
        await(fx.vhost.policies().put(new Policy("p", "^q$", PolicyTarget.QUEUES, 0,
                Map.of("delivery-limit", 1, "consumer-timeout", 120_000, "retry-delays", "1s,5s"))));
        QueueArguments now = q.arguments().now();
        assertThat(now.deliveryLimit()).isEqualTo(1L);
        assertThat(now.consumerTimeout()).isEqualTo(60_000L);
        assertThat(now.retryDelays().millis()).containsExactly(1000L, 5000L);
        assertThatThrownBy(() -> await(fx.vhost.policies().put(new Policy("bad", "^x$", PolicyTarget.QUEUES, 0,
                Map.of("delivery-limit", -2)))))
                .hasMessageContaining("-2 is not a valid delivery limit");
    }
}
