package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** {@code /health} as a load balancer reads it: 200 only when ready and without alarms. */
class HealthTest {
    @Test
    void notReadyWhileStartingThenOkThenNotReadyWhileStopping() {
        Health health = new Health();
        assertThat(health.answer().status()).isEqualTo(503);
        assertThat(health.answer().body()).contains("\"starting\"");
        try (RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1)) {
            health.ready(engine);
            assertThat(health.answer().status()).isEqualTo(200);
            assertThat(health.answer().body()).contains("\"ok\"");

            engine.memoryAlarm().force(true);
            assertThat(health.answer().status()).isEqualTo(503);
            assertThat(health.answer().body()).contains("\"alarm\"").contains("\"memory\"");
            engine.memoryAlarm().force(null);
            assertThat(health.answer().status()).isEqualTo(200);
        }
        health.stopping();
        assertThat(health.answer().status()).isEqualTo(503);
        assertThat(health.answer().body()).contains("\"stopping\"");
    }
}
