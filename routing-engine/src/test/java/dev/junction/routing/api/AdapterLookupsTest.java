package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lookups and helpers an adapter needs besides definitions and messages, over the API only. */
class AdapterLookupsTest {
    private final EngineFixture fx = new EngineFixture();
    private final Vhost vhost = Engine.of(fx.engine).vhost("/").orElseThrow();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void bindingsToAQueueComeFromEveryExchangeAndOnlyForThatQueue() {
        vhost.declareQueue(QueueSpec.durable("session.a"), null, false);
        vhost.declareQueue(QueueSpec.durable("session.b"), null, false);
        Binding a1 = Binding.toQueue("amq.topic", "session.a", "x.#", Map.of(Binding.MQTT_FILTER_ARGUMENT, true));
        Binding a2 = Binding.toQueue("amq.direct", "session.a", "k", Map.of());
        Binding b1 = Binding.toQueue("amq.topic", "session.b", "y", Map.of());
        vhost.bind(a1, null);
        vhost.bind(a2, null);
        vhost.bind(b1, null);

        assertThat(vhost.bindingsTo("session.a")).containsExactlyInAnyOrder(a1, a2);
        assertThat(vhost.bindingsTo("session.b")).containsExactly(b1);
        assertThat(vhost.bindingsTo("missing")).isEmpty();
        vhost.unbind(a1, null);
        assertThat(vhost.bindingsTo("session.a")).containsExactly(a2);
    }

    @Test
    void aRetainedMessageEncodedByTheCallerIsStoredAsIsAndIndexedWithItsEncodedSize() {
        RetainedRecords retained = Engine.of(fx.engine).retained("/");
        Message m = EngineFixture.message("amq.topic", "a.b", MessageProperties.EMPTY, "kept");
        byte[] encoded = MessageBytes.encode(m);
        EngineFixture.await(retained.put("a/b", encoded));
        assertThat(retained.index()).containsEntry("a/b", encoded.length);
        assertThat(retained.get("a/b")).map(EngineFixture::body).contains("kept");
    }

    @Test
    void mqttTopicNamesAreCheckedAsPublishMust() {
        TopicIndex.checkMqttTopic("a/b/c");
        TopicIndex.checkMqttTopic("/leading/empty/level");
        assertThatThrownBy(() -> TopicIndex.checkMqttTopic("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicIndex.checkMqttTopic("a/+")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicIndex.checkMqttTopic("a/#")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicIndex.checkMqttTopic("a\u0000b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSerialLaneRunsItsTasksInOrderOneAtATime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Executor lane = SerialLane.on(pool, "test lane");
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlap = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                lane.execute(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlap.incrementAndGet();
                    }
                    seen.add(n);
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(overlap).hasValue(0);
            for (int i = 0; i < 1000; i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
