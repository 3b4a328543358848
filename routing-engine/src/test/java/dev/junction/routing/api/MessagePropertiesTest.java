package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Built properties keep the headers they were built with: the Builder hands its table over instead of copying it,
 * so a later change through the same builder (or one made from the properties) must not reach them, and a map a
 * caller passes in is still copied.
 */
class MessagePropertiesTest {
    @Test
    void aBuilderChangedAfterBuildLeavesWhatItBuiltAlone() {
        MessageProperties.Builder b = MessageProperties.builder().header("a", 1).header("b", 2);
        MessageProperties first = b.build();
        MessageProperties second = b.header("c", 3).removeHeader("a").build();
        MessageProperties third = b.header("b", 20).build();

        assertThat(first.headers()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        assertThat(second.headers()).containsExactly(Map.entry("b", 2), Map.entry("c", 3));
        assertThat(third.headers()).containsExactly(Map.entry("b", 20), Map.entry("c", 3));
    }

    @Test
    void headersStayUnmodifiableAndAreCopiedFromACallersMap() {
        Map<String, Object> mine = new LinkedHashMap<>(Map.of("k", "v"));
        MessageProperties p = MessageProperties.builder().headers(mine).build();
        MessageProperties direct = new MessageProperties(null, null, mine, null, null, null, null, null, null, null,
                null, null, null, null);
        mine.put("k", "changed");

        assertThat(p.header("k")).isEqualTo("v");
        assertThat(direct.header("k")).isEqualTo("v");
        assertThatThrownBy(() -> p.headers().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        MessageProperties derived = p.toBuilder().header("k", "other").build();
        assertThat(p.header("k")).isEqualTo("v");
        assertThat(derived.header("k")).isEqualTo("other");
        assertThat(derived).isNotEqualTo(p);
        assertThat(p.toBuilder().build()).isEqualTo(p);
    }

    /** Few headers are kept in two arrays, many in a hash table: both keep the order given and AMQP's void values. */
    @Test
    void manyHeadersAndVoidValuesKeepTheirOrderOnEitherSideOfTheSmallTableLimit() {
        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = MessageProperties.SMALL_HEADERS + 1; i > 0; i--) {
            many.put("h" + i, i);
        }
        many.put("void", null);
        MessageProperties big = MessageProperties.builder().headers(many).build();
        MessageProperties.Builder b = MessageProperties.builder();
        many.forEach((k, v) -> b.header(k, v == null ? "x" : v));
        MessageProperties built = b.build();

        assertThat(big.headers()).containsExactlyEntriesOf(many);
        assertThat(big.headers()).containsKey("void");
        assertThat(big.header("void")).isNull();
        assertThat(built.headers()).hasSize(MessageProperties.SMALL_HEADERS + 2);
        assertThat(built.headers().keySet()).containsExactlyElementsOf(many.keySet());
        MessageProperties few = MessageProperties.builder().headers(new LinkedHashMap<>(Map.of("v", "1"))).build();
        Map<String, Object> withVoid = new LinkedHashMap<>();
        withVoid.put("a", null);
        withVoid.put("b", 2);
        assertThat(MessageProperties.builder().headers(withVoid).build().headers()).containsExactlyEntriesOf(withVoid);
        assertThat(few.headers()).containsExactly(Map.entry("v", "1"));
    }
}
