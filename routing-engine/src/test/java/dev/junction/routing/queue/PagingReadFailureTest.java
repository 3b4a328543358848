package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.ForwardingMessageStore;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A queue whose backlog cannot be read back from disk keeps going: it retries, and skips a record that stays bad. */
class PagingReadFailureTest {

    /** An in-memory store whose reads by id fail whenever they include {@link #bad}. */
    private static final class FailingReads extends ForwardingMessageStore {
        volatile long bad = -1;

        @Override
        public List<StoredMessage> read(QueueKey queue, long[] ids) {
            for (long id : ids) {
                if (id == bad) {
                    throw new UncheckedIOException(new java.io.IOException("injected: unreadable record " + id));
                }
            }
            return inner.read(queue, ids);
        }
    }

    @Test
    void anUnreadableMessageIsRetriedThenSkippedAndEveryOtherOneArrivesInOrder() {
        FailingReads store = new FailingReads();
        try (RoutingEngine engine = new RoutingEngine(store, new SimpleMeterRegistry(), 1, new Paging(4, 1 << 20))) {
            VirtualHost vhost = engine.createVhost("/");
            Queue q = vhost.declareQueue(new QueueSpec("flaky", true, false, false, Map.of()), null, false);
            MessageProperties persistent = MessageProperties.builder().deliveryMode(2).build();
            for (int i = 1; i <= 30; i++) {
                await(vhost.publish(new Message("", "flaky", persistent,
                        ("m" + i).getBytes(StandardCharsets.UTF_8)), true).confirmed());
            }
            store.bad = 12; // store ids follow publish order here: m12 sits in the backlog, behind the window

            RecordingSink sink = new RecordingSink();
            await(q.consume(ConsumerSpec.of("c", true), sink));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 29; i++) {
                got.add(body(sink.nextWithin(10_000))); // the retries take a second each
            }
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                if (i != 12) {
                    expected.add("m" + i);
                }
            }
            assertThat(got).isEqualTo(expected);
        }
    }
}
