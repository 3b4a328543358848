package dev.junction.routing.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * A running engine for the queue tests ({@link EngineFixture}, closed after each test) and the helpers they share:
 * consuming and publishing by queue name, and reading dead-letter ({@code x-death}) headers.
 */
abstract class QueueTestBase {
    final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    RecordingSink consume(Queue q, ConsumerSpec spec) {
        RecordingSink sink = new RecordingSink();
        sink.consumer = fx.consume(q, spec, sink);
        return sink;
    }

    void publish(String queue, String... bodies) {
        for (String b : bodies) {
            fx.publish("", queue, b);
        }
    }

    static ErrorKind kindOf(Throwable t) {
        return ((BrokerException) t).kind();
    }

    /** Fanout exchange "dlx" feeding queue "dlq", which is consumed by the returned sink. */
    RecordingSink deadLetterQueue() {
        fx.declareExchange("dlx", ExchangeType.FANOUT);
        Queue dlq = fx.declare("dlq");
        fx.bindQueue("dlx", "dlq", "");
        return fx.consume(dlq, "dlq-consumer");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> xDeath(Message m) {
        Object v = m.properties().header("x-death");
        assertThat(v).as("x-death header").isInstanceOf(List.class);
        return (List<Map<String, Object>>) v;
    }

    static Map<String, Object> deathOf(Message m, String queue, String reason) {
        return xDeath(m).stream()
                .filter(t -> queue.equals(t.get("queue")) && reason.equals(t.get("reason")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no x-death entry for " + queue + "/" + reason + " in "
                        + xDeath(m)));
    }

    static MessageProperties expiration(String ms) {
        return MessageProperties.builder().expiration(ms).build();
    }

    static MessageProperties priority(int p) {
        return MessageProperties.builder().priority(p).build();
    }

    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
