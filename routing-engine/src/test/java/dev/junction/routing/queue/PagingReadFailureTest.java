package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A queue whose backlog cannot be read back from disk keeps going: it retries, and skips a record that stays bad. */
class PagingReadFailureTest {

    /** An in-memory store whose reads by id fail whenever they include {@link #bad}. */
    private static final class FailingReads implements MessageStore {
        final InMemoryMessageStore inner = new InMemoryMessageStore();
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

        @Override
        public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues) {
            return inner.append(message, queues);
        }

        @Override
        public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
            return inner.remove(queue, messageId);
        }

        @Override
        public CompletableFuture<Void> removeQueue(QueueKey queue) {
            return inner.removeQueue(queue);
        }

        @Override
        public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
            return inner.read(queue, afterId, max);
        }

        @Override
        public IdPage ids(QueueKey queue, long afterId, int max) {
            return inner.ids(queue, afterId, max);
        }

        @Override
        public long count(QueueKey queue) {
            return inner.count(queue);
        }

        @Override
        public Set<QueueKey> queues() {
            return inner.queues();
        }

        @Override
        public long highestMessageId() {
            return inner.highestMessageId();
        }

        @Override
        public DefinitionStore definitions() {
            return inner.definitions();
        }

        @Override
        public RetainedStore retained() {
            return inner.retained();
        }

        @Override
        public TimeIndex timeIndex(QueueKey holder) {
            return inner.timeIndex(holder);
        }

        @Override
        public SessionStore sessions() {
            return inner.sessions();
        }

        @Override
        public void close() {
            inner.close();
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
