package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnknownDescribedType;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.junit.jupiter.api.Test;

/**
 * A consumer's source filter set as RabbitMQ 4 reads it (docs/amqp10.md "Streams"): {@code rabbitmq:stream-offset-spec}
 * becomes 0-9-1's {@code x-stream-offset} argument kinds (string, long, timestamp); other filters are refused.
 */
class SourceFiltersTest {
    private static final Symbol SPEC = SourceFilters.OFFSET_SPEC;

    private static Object argument(Object value) {
        return SourceFilters.read(Map.of(Symbol.valueOf("k"), new UnknownDescribedType(SPEC, value))).arguments()
                .get(SourceFilters.OFFSET_ARGUMENT);
    }

    @Test
    void noFilterIsNoArgumentAndNothingInPlace() {
        assertThat(SourceFilters.read(null).arguments()).isEmpty();
        assertThat(SourceFilters.read(null).inPlace()).isNull();
        assertThat(SourceFilters.read(Map.of()).arguments()).isEmpty();
    }

    @Test
    void valuesBecomeTheZeroNineOneArgumentKinds() {
        assertThat(argument(Symbol.valueOf("first"))).isEqualTo("first");
        assertThat(argument("30m")).isEqualTo("30m");
        assertThat(argument(7L)).isEqualTo(7L);
        assertThat(argument(7)).isEqualTo(7L);
        assertThat(argument(UnsignedLong.valueOf(7))).isEqualTo(7L);
        assertThat(argument(UnsignedInteger.valueOf(7))).isEqualTo(7L);
        assertThat(argument(UnsignedByte.valueOf((byte) 7))).isEqualTo(7L);
        assertThat(argument(UnsignedLong.valueOf("18446744073709551615"))).isEqualTo(Long.MAX_VALUE);
        Date t = new Date(1_700_000_000_123L);
        assertThat(argument(t)).isEqualTo(t); // the engine cuts it to seconds, as 0-9-1's timestamp
        assertThat(argument(-1L)).isEqualTo(-1L); // the engine's parser refuses it, as for 0-9-1
    }

    @Test
    void theFilterInPlaceIsTheOneAskedFor() {
        Map<Symbol, Object> asked = new LinkedHashMap<>();
        UnknownDescribedType value = new UnknownDescribedType(SPEC, "next");
        asked.put(Symbol.valueOf("my-offset"), value);
        SourceFilters.Accepted a = SourceFilters.read(asked);
        assertThat(a.inPlace()).isEqualTo(Map.of(Symbol.valueOf("my-offset"), value));
        // RabbitMQ 4.0's plain value under the spec's own key
        assertThat(SourceFilters.read(Map.of(SPEC, 3L)).arguments()).isEqualTo(Map.of("x-stream-offset", 3L));
    }

    @Test
    void otherTypesAndOtherFiltersAreRefused() {
        assertThatThrownBy(() -> argument(true)).isInstanceOf(Refusal.class)
                .satisfies(e -> assertThat(((Refusal) e).condition()).isEqualTo(Condition.INVALID_FIELD));
        assertThatThrownBy(() -> argument(new Binary(new byte[1]))).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> SourceFilters.read(Map.of(Symbol.valueOf("rabbitmq:stream-filter"), "eu")))
                .satisfies(e -> assertThat(((Refusal) e).condition()).isEqualTo(Condition.NOT_IMPLEMENTED));
        assertThatThrownBy(() -> SourceFilters.read(Map.of(Symbol.valueOf("jms-selector"), new UnknownDescribedType(
                Symbol.valueOf("apache.org:selector-filter:string"), "a = 1"))))
                .satisfies(e -> assertThat(((Refusal) e).condition()).isEqualTo(Condition.NOT_IMPLEMENTED));
        Map<Symbol, Object> twice = new LinkedHashMap<>();
        twice.put(Symbol.valueOf("a"), new UnknownDescribedType(SPEC, "first"));
        twice.put(Symbol.valueOf("b"), new UnknownDescribedType(SPEC, "last"));
        assertThatThrownBy(() -> SourceFilters.read(twice))
                .satisfies(e -> assertThat(((Refusal) e).condition()).isEqualTo(Condition.INVALID_FIELD));
    }
}
