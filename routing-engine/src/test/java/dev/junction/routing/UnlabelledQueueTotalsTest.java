package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Queues without meters of their own (MQTT session queues, by name) are counted in the vhost's totals, which stay
 * the sums of what those queues hold as queues come and go; queues with meters of their own are not in them.
 */
class UnlabelledQueueTotalsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void totalsAreTheSumsOverTheQueuesWithoutMetersOfTheirOwn() throws Exception {
        try (RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), registry, 1)) {
            engine.setPerQueueMetrics(name -> !name.startsWith("session."));
            VirtualHost v = engine.createVhost("fleet");
            for (int i = 0; i < 3; i++) {
                v.declareQueue(QueueSpec.transientQueue("session." + i), null, false);
                v.bind(Binding.toQueue("amq.topic", "session." + i, "dev." + i + ".#", Map.of()), null);
            }
            v.declareQueue(QueueSpec.transientQueue("named"), null, false);
            v.bind(Binding.toQueue("amq.topic", "named", "#", Map.of()), null);
            // 1 + 2 + 3 messages to the sessions, all 6 to the named queue too.
            for (int i = 0; i < 3; i++) {
                for (int n = 0; n <= i; n++) {
                    publish(v, "dev." + i + ".cmd");
                }
            }
            Queue s2 = v.queue("session.2").orElseThrow();
            assertThat(s2.get(false).get(5, TimeUnit.SECONDS)).isNotNull(); // one of its 3 delivered, not settled

            assertThat(total("junction.queues.unlabelled")).isEqualTo(3);
            assertThat(total("junction.queues.unlabelled.messages")).isEqualTo(5).isEqualTo(sumOfSessions(v));
            assertThat(total("junction.queues.unlabelled.messages.unacked")).isEqualTo(1);
            assertThat(total("junction.queues.unlabelled.consumers")).isZero();
            assertThat(registry.find("junction.queue.messages").tag("queue", "session.0").gauge()).isNull();
            assertThat(registry.get("junction.queue.messages").tag("queue", "named").gauge().value()).isEqualTo(6);

            v.deleteQueue("session.1", false, false, null).get(5, TimeUnit.SECONDS);
            assertThat(total("junction.queues.unlabelled")).isEqualTo(2);
            assertThat(total("junction.queues.unlabelled.messages")).isEqualTo(3).isEqualTo(sumOfSessions(v));
        }
    }

    private static void publish(VirtualHost v, String key) throws Exception {
        v.publish(new Message("amq.topic", key, null, new byte[8]), true).confirmed().get(5, TimeUnit.SECONDS);
    }

    private static double sumOfSessions(VirtualHost v) {
        return v.queues().stream().filter(q -> q.name().startsWith("session.")).mapToInt(Queue::messageCount).sum();
    }

    private double total(String name) {
        return registry.get(name).tag("vhost", "fleet").gauge().value();
    }
}
