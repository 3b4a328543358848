package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void publishedRoutedAndUnroutableAreCountedPerVhostAndQueueDepthIsAGauge() throws Exception {
        try (RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), registry, 1)) {
            VirtualHost prod = engine.createVhost("prod");
            VirtualHost dev = engine.createVhost("dev");
            prod.declareQueue(QueueSpec.transientQueue("q"), null, false);
            prod.bind(Binding.toQueue("amq.direct", "q", "k", Map.of()), null);
            prod.publish(new Message("amq.direct", "k", null, new byte[3]), true).confirmed().get(5, TimeUnit.SECONDS);
            prod.publish(new Message("amq.direct", "k", null, new byte[3]), true).confirmed().get(5, TimeUnit.SECONDS);
            dev.publish(new Message("amq.direct", "nowhere", null, new byte[3]), false);

            assertThat(registry.get("junction.messages.published").tag("vhost", "prod").counter().count()).isEqualTo(2);
            assertThat(registry.get("junction.messages.routed").tag("vhost", "prod").counter().count()).isEqualTo(2);
            assertThat(registry.get("junction.messages.unroutable").tag("vhost", "dev").counter().count()).isEqualTo(1);
            assertThat(registry.get("junction.messages.unroutable").tag("vhost", "prod").counter().count()).isZero();
            assertThat(registry.get("junction.queue.messages").tag("vhost", "prod").tag("queue", "q").gauge().value())
                    .isEqualTo(2);

            prod.deleteQueue("q", false, false, null).get(5, TimeUnit.SECONDS);
            assertThat(registry.find("junction.queue.messages").tag("queue", "q").gauge()).isNull();
        }
    }
}
