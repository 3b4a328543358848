package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ring of {@link ConsistentHashExchange}: one binding per message, shares by weight, minimal movement. */
class ConsistentHashRingTest {
    private static ConsistentHashExchange exchange(Map<String, Object> args) {
        return new ConsistentHashExchange(new ExchangeSpec("x", "x-consistent-hash", false, false, false, args));
    }

    private static Binding to(String queue, String weight) {
        return Binding.toQueue("x", queue, weight, Map.of());
    }

    private static List<Binding> routed(ConsistentHashExchange x, String key) {
        List<Binding> out = new ArrayList<>();
        x.route(new Message("x", key, MessageProperties.EMPTY, new byte[0]), List.of(key), out::addAll);
        return out;
    }

    private static Map<String, String> placement(ConsistentHashExchange x, int keys) {
        Map<String, String> where = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            List<Binding> b = routed(x, "k" + i);
            assertThat(b).hasSize(1);
            where.put("k" + i, b.get(0).destination());
        }
        return where;
    }

    @Test
    void jumpHashIsTheSameOnEveryRunAndInRange() {
        // Fixed values: the ring must not depend on the JVM or run (a restart rebuilds the same placement).
        assertThat(ConsistentHashExchange.hash("")).isEqualTo(ConsistentHashExchange.hash(""));
        for (long key = 0; key < 1000; key++) {
            assertThat(ConsistentHashExchange.jump(key, 7)).isBetween(0L, 6L);
            assertThat(ConsistentHashExchange.jump(key, 1)).isZero();
        }
    }

    @Test
    void sharesFollowWeightsAndAnAddedBindingTakesOnlyItsShare() {
        ConsistentHashExchange x = exchange(Map.of());
        assertThat(routed(x, "nobody")).isEmpty();
        x.bind(to("a", "1"));
        x.bind(to("b", "3"));
        Map<String, String> before = placement(x, 20_000);
        long toB = before.values().stream().filter("b"::equals).count();
        assertThat(toB / 20_000.0).isBetween(0.72, 0.78);
        x.bind(to("c", "4"));
        Map<String, String> after = placement(x, 20_000);
        for (String k : before.keySet()) {
            if (!before.get(k).equals(after.get(k))) {
                assertThat(after.get(k)).as("a moved key goes to the new binding").isEqualTo("c");
            }
        }
        x.unbind(to("c", "4"));
        assertThat(placement(x, 20_000)).isEqualTo(before);
    }

    @Test
    void weightsAndArgumentsAreValidated() {
        ConsistentHashExchange x = exchange(Map.of());
        assertThatThrownBy(() -> x.bind(to("a", "x"))).isInstanceOf(BrokerException.class)
                .hasMessageContaining("The binding key must be an integer");
        assertThatThrownBy(() -> x.bind(to("a", "-2"))).isInstanceOf(BrokerException.class)
                .hasMessageContaining("greater than 0");
        assertThat(x.bindings()).isEmpty();
        assertThatThrownBy(() -> exchange(Map.of("hash-header", "h", "hash-property", "message_id")))
                .hasMessageContaining("mutually exclusive");
        assertThatThrownBy(() -> exchange(Map.of("hash-property", "app_id")))
                .hasMessageContaining("Unsupported property: app_id");
    }

    @Test
    void aHeaderOrPropertyIsHashedInsteadOfTheRoutingKey() {
        ConsistentHashExchange byHeader = exchange(Map.of("hash-header", "h"));
        Message m = new Message("x", "rk", MessageProperties.builder().headers(Map.of("h", 42)).build(), new byte[0]);
        assertThat(byHeader.valueOf(m)).isEqualTo("42");
        ConsistentHashExchange byId = exchange(Map.of("hash-property", "message_id"));
        assertThat(byId.valueOf(new Message("x", "rk", MessageProperties.builder().messageId("m1").build(),
                new byte[0]))).isEqualTo("m1");
        assertThat(byId.valueOf(new Message("x", "rk", MessageProperties.EMPTY, new byte[0]))).isEmpty();
    }
}
