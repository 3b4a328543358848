package dev.junction.routing.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Policies are definitions in the store: they come back after a restart and apply to the recovered objects. */
class PolicyRecoveryTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore();

    @Test
    void policiesSurviveARestartAndApplyToTheRecoveredQueuesAndExchanges() throws Exception {
        Policy limit = new Policy("limit", "^kept$", PolicyTarget.QUEUES, 2, Map.of("max-length", 4));
        Policy ae = new Policy("ae", "^events$", PolicyTarget.EXCHANGES, 0, Map.of("alternate-exchange", "other"));
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareQueue(QueueSpec.durable("kept"), null, false);
            v.declareExchange(new ExchangeSpec("events", "topic", true, false, false, Map.of()), false);
            v.policies().put(limit).get(5, TimeUnit.SECONDS);
            v.policies().put(ae).get(5, TimeUnit.SECONDS);
            v.policies().put(new Policy("gone", ".*", PolicyTarget.ALL, 0, Map.of("message-ttl", 5)))
                    .get(5, TimeUnit.SECONDS);
            v.policies().delete("gone").get(5, TimeUnit.SECONDS);
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            VirtualHost v = second.vhost("/").orElseThrow();
            assertThat(v.policies().list()).containsExactly(ae, limit);
            var kept = v.queue("kept").orElseThrow();
            assertThat(kept.arguments().policy()).isEqualTo(limit);
            kept.get(false).get(5, TimeUnit.SECONDS); // a mailbox round trip: the policy has been applied
            assertThat(kept.arguments().now().maxLength()).isEqualTo(4L);
            assertThat(v.exchange("events").orElseThrow().alternateExchange()).isEqualTo("other");
        }
    }
}
