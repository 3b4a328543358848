package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A binding's arguments, kept compactly: the same map as before to every reader, order and void values included. */
class ArgumentTableTest {
    @Test
    void aBindingKeepsItsArgumentsInOrderWithVoidValuesAndUnmodifiable() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("x-mqtt-filter", true);
        args.put("x-mqtt-qos", 1);
        args.put("void", null);
        args.put("x-mqtt-subscription-id", 0);
        Binding b = Binding.toQueue("amq.topic", "q", "a.b", args);
        Map<String, Object> kept = b.arguments();
        assertThat(List.copyOf(kept.keySet())).containsExactly("x-mqtt-filter", "x-mqtt-qos", "void",
                "x-mqtt-subscription-id");
        assertThat(kept.get("x-mqtt-qos")).isEqualTo(1);
        assertThat(kept.containsKey("void")).isTrue();
        assertThat(kept.get("void")).isNull();
        assertThat(kept.get("absent")).isNull();
        assertThat(kept).isEqualTo(args).hasSameHashCodeAs(args);
        assertThatThrownBy(() -> kept.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> kept.remove("x-mqtt-qos")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> kept.entrySet().iterator().next().setValue(2))
                .isInstanceOf(UnsupportedOperationException.class);
        args.put("x-mqtt-qos", 2);
        assertThat(kept.get("x-mqtt-qos")).as("a copy").isEqualTo(1);
    }

    @Test
    void bindingsWithTheSameArgumentsInAnotherOrderAreOneBinding() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("x", 1);
        a.put("y", "z");
        Map<String, Object> b = new HashMap<>(Map.of("y", "z", "x", 1));
        assertThat(Binding.toQueue("e", "q", "k", a)).isEqualTo(Binding.toQueue("e", "q", "k", b));
        assertThat(Binding.toQueue("e", "q", "k", a)).isNotEqualTo(Binding.toQueue("e", "q", "k", Map.of("x", 1)));
        Binding one = Binding.toQueue("e", "q", "k", a);
        assertThat(Binding.toQueue("e", "q2", "k", one.arguments()).arguments()).as("shared, not copied again")
                .isSameAs(one.arguments());
        assertThat(Binding.toQueue("e", "q", "k", Map.of()).arguments()).isEmpty();
    }
}
