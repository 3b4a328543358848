package dev.junction.routing.policy;

import static dev.junction.routing.EngineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The message-deduplication plugin's policy keys: {@code x-message-deduplication} turns a queue's deduplication on
 * and off, {@code x-cache-size} and {@code x-cache-ttl} override a deduplication exchange's arguments while the
 * policy applies; bad values are refused with the plugin's validator texts.
 */
class DeduplicationPolicyTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private void put(PolicyTarget to, Object... definition) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < definition.length; i += 2) {
            m.put((String) definition[i], definition[i + 1]);
        }
        await(fx.vhost.policies().put(new Policy("dedup", "^d", to, 0, m)));
    }

    private static MessageProperties keyed(String key) {
        return MessageProperties.builder().header("x-deduplication-header", key).build();
    }

    /** Publishes to a queue and waits until it took (or refused) the message. */
    private void send(String queue, String key, String body) {
        await(fx.publish(EngineFixture.message("", queue, keyed(key), body), true).confirmed());
    }

    private int routed(String exchange, String routingKey, String key) {
        return fx.publish(exchange, routingKey, keyed(key), key).routedQueues();
    }

    @Test
    void aPolicyTurnsAQueuesDeduplicationOnAndOffAndWinsOverTheArgument() {
        Queue q = fx.declare("dq");
        send("dq", "a", "1");
        put(PolicyTarget.QUEUES, "x-message-deduplication", true);
        send("dq", "b", "2");
        send("dq", "b", "3");
        assertThat(q.messageCount()).as("the second b is a duplicate").isEqualTo(2);
        send("dq", "a", "4");
        assertThat(q.messageCount()).as("keys of messages queued before the policy are not known").isEqualTo(3);
        await(fx.vhost.policies().delete("dedup"));
        send("dq", "b", "5");
        assertThat(q.messageCount()).isEqualTo(4);

        Queue declared = fx.declare("dd", Map.of("x-message-deduplication", true));
        put(PolicyTarget.QUEUES, "x-message-deduplication", false);
        send("dd", "k", "1");
        send("dd", "k", "2");
        assertThat(declared.messageCount()).as("the policy's false wins over the argument").isEqualTo(2);
    }

    @Test
    void aPolicyOverridesAnExchangesCacheSizeAndTtlWhileItApplies() throws Exception {
        fx.vhost.declareExchange(new ExchangeSpec("dx", "x-message-deduplication", false, false, false,
                Map.of("x-cache-size", 100)), false);
        fx.declare("out");
        fx.bindQueue("dx", "out", "");
        // a ttl a loaded machine's pauses between two publishes stay well within; the sleeps must outlast it
        put(PolicyTarget.EXCHANGES, "x-cache-size", 1, "x-cache-ttl", 500);
        assertThat(routed("dx", "", "a")).isEqualTo(1);
        assertThat(routed("dx", "", "a")).as("within the ttl").isZero();
        assertThat(routed("dx", "", "b")).as("evicts a: the cache holds one key").isEqualTo(1);
        assertThat(routed("dx", "", "a")).isEqualTo(1);
        Thread.sleep(600);
        assertThat(routed("dx", "", "a")).as("the policy's ttl passed").isEqualTo(1);

        await(fx.vhost.policies().delete("dedup"));
        assertThat(routed("dx", "", "c")).isEqualTo(1);
        assertThat(routed("dx", "", "d")).isEqualTo(1);
        Thread.sleep(600);
        assertThat(routed("dx", "", "c")).as("back to the arguments: 100 keys, no ttl").isZero();
    }

    @Test
    void storedMessagesOfOneKeyLetInWhileAPolicySaidNoAreAllBackAfterARestart() {
        InMemoryMessageStore store = new InMemoryMessageStore();
        MessageProperties persistent = keyed("k").toBuilder().deliveryMode(2).build();
        try (RoutingEngine first = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            VirtualHost v = first.createVhost("/");
            v.declareQueue(new QueueSpec("dd", true, false, false, Map.of("x-message-deduplication", true)), null,
                    false);
            await(v.policies().put(new Policy("off", "^dd$", PolicyTarget.QUEUES, 0,
                    Map.of("x-message-deduplication", false))));
            for (String body : new String[] {"1", "2"}) {
                await(v.publish(EngineFixture.message("", "dd", persistent, body), true).confirmed());
            }
            await(v.policies().delete("off"));
        }
        try (RoutingEngine second = new RoutingEngine(store, new SimpleMeterRegistry(), 1)) {
            second.recover();
            Queue q = second.vhost("/").orElseThrow().queue("dd").orElseThrow();
            EngineFixture.eventually("both restored", () -> q.messageCount() == 2);
            assertThat(store.count(q.key())).as("neither dropped from the store as a duplicate").isEqualTo(2);
        }
    }

    @Test
    void badValuesAreRefusedWithThePluginsTexts() {
        refused(Map.of("x-message-deduplication", "yes"), "'x-message-deduplication' must be a boolean, got yes");
        refused(Map.of("x-cache-size", 0), "'x-cache-size' must be an integer greater than 0, got 0");
        refused(Map.of("x-cache-ttl", "soon"), "'x-cache-ttl' must be an integer greater than 0, got soon");
        refused(Map.of("x-cache-persistence", "disk"), "[x-cache-persistence] are not recognised policy settings");
    }

    private void refused(Map<String, Object> definition, String text) {
        assertThatThrownBy(() -> fx.vhost.policies().put(new Policy("bad", ".*", PolicyTarget.ALL, 0, definition)))
                .isInstanceOf(BrokerException.class).hasMessageStartingWith("Validation failed")
                .hasMessageContaining(text);
    }
}
