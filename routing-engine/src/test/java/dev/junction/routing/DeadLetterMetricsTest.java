package dev.junction.routing;

import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.queue.Queue;
import io.micrometer.core.instrument.Counter;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code junction.messages.dead_lettered}: messages sent to a dead-letter exchange, by RabbitMQ's reason. */
class DeadLetterMetricsTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private double deadLettered(String reason) {
        Counter c = f.registry.find("junction.messages.dead_lettered").tag("vhost", f.vhost.name())
                .tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void rejectedExpiredAndOverflowingMessagesAreCountedByReason() {
        f.declareExchange("dlx", ExchangeType.FANOUT);
        Queue dead = f.declare("dead");
        f.bindQueue("dlx", "dead", "");
        Queue rejecting = f.declare("rejecting", Map.of("x-dead-letter-exchange", "dlx"));
        f.declare("expiring", Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 1L));
        f.declare("short", Map.of("x-dead-letter-exchange", "dlx", "x-max-length", 1L));

        RecordingSink sink = f.consume(rejecting, "c");
        f.publish("", "rejecting", "r");
        EngineFixture.settle(Settlement.DISCARD, sink.next());
        f.publish("", "expiring", "e");
        f.publish("", "short", "s1");
        f.publish("", "short", "s2");

        eventually("counted", () -> deadLettered("rejected") == 1 && deadLettered("expired") == 1
                && deadLettered("maxlen") == 1);
        eventually("all three in the dead-letter queue", () -> dead.messageCount() == 3);
    }

    @Test
    void aQueueWithoutADeadLetterExchangeDeadLettersNothing() {
        Queue q = f.declare("plain");
        RecordingSink sink = f.consume(q, "c");
        f.publish("", "plain", "m");
        EngineFixture.settle(Settlement.DISCARD, sink.next());
        eventually("settled", () -> q.unackedCount() == 0);
        assertThat(f.registry.find("junction.messages.dead_lettered").counters()).isEmpty();
    }
}
