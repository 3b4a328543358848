package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The management node's binding locations and queries, as RabbitMQ 4's clients write them. */
class ManagementBindingsTest {

    @Test
    void aLocationsFieldsArePercentDecoded() {
        Map<String, String> f = ManagementBindings.fields("src=amq.topic;dstq=my%20q%2Fx;key=a.%2A;args=",
                ";", "to");
        assertThat(f).containsEntry("src", "amq.topic").containsEntry("dstq", "my q/x").containsEntry("key", "a.*")
                .containsEntry("args", "");
        assertThat(ManagementBindings.fields("src=x&dste=y&key=k%2Bz", "&", "to"))
                .containsEntry("dste", "y").containsEntry("key", "k+z");
        assertThat(ManagementBindings.fields(null, "&", "to")).isEmpty();
    }

    @Test
    void encodingRoundTripsEveryName() {
        String name = "a b/ü;=&%+~._-";
        String encoded = ManagementBindings.encode(name);
        assertThat(encoded).doesNotContain(" ", "/", ";", "=", "&", "+").contains("~._-");
        assertThat(ManagementBindings.fields("key=" + encoded, ";", "to")).containsEntry("key", name);
    }

    @Test
    void argumentsIdIsEmptyWithoutArgumentsAndIndependentOfOrder() {
        assertThat(ManagementBindings.argsId(Map.of())).isEmpty();
        assertThat(ManagementBindings.argsId(null)).isEmpty();
        Map<String, Object> ab = new LinkedHashMap<>();
        ab.put("a", 1L);
        ab.put("b", "x");
        Map<String, Object> ba = new LinkedHashMap<>();
        ba.put("b", "x");
        ba.put("a", 1L);
        assertThat(ManagementBindings.argsId(ab)).isNotEmpty().isEqualTo(ManagementBindings.argsId(ba))
                .isNotEqualTo(ManagementBindings.argsId(Map.of("a", 2L)));
    }

    @Test
    void aMalformedEscapeIsRefused() {
        assertThatThrownBy(() -> ManagementBindings.fields("src=%zz", ";", "/bindings/src=%zz"))
                .isInstanceOf(Refusal.class);
    }
}
