package dev.junction.routing.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueSpec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code x-stream-offset} and the stream's declaration arguments are read, as RabbitMQ 3.10 reads them. */
class StreamOffsetTest {
    private static final String WHAT = "queue 's' in vhost '/'";
    private static final long NOW = 1_000_000_000L;

    private static StreamOffset parse(Object v) {
        return StreamOffset.parse(v, WHAT, NOW);
    }

    @Test
    void everyKindOfOffsetIsRead() {
        assertThat(parse(null)).isEqualTo(new StreamOffset(StreamOffset.Kind.NEXT, 0));
        assertThat(parse("first").kind()).isEqualTo(StreamOffset.Kind.FIRST);
        assertThat(parse("last").kind()).isEqualTo(StreamOffset.Kind.LAST);
        assertThat(parse("next").kind()).isEqualTo(StreamOffset.Kind.NEXT);
        assertThat(parse(42)).isEqualTo(new StreamOffset(StreamOffset.Kind.OFFSET, 42));
        assertThat(parse(42L)).isEqualTo(new StreamOffset(StreamOffset.Kind.OFFSET, 42));
        // The AMQP timestamp type has seconds.
        assertThat(parse(Instant.ofEpochSecond(1234))).isEqualTo(new StreamOffset(StreamOffset.Kind.TIMESTAMP, 1_234_000));
        assertThat(parse("30m")).isEqualTo(new StreamOffset(StreamOffset.Kind.TIMESTAMP, NOW - 1_800_000));
        assertThat(parse("7D")).isEqualTo(new StreamOffset(StreamOffset.Kind.TIMESTAMP, NOW - 7 * 86_400_000L));
    }

    @Test
    void anythingElseIs406() {
        for (Object bad : new Object[] {"yesterday", "0s", "5x", "-1", -1, 1.5, "m"}) {
            BrokerException e = assertThrows(BrokerException.class, () -> parse(bad), String.valueOf(bad));
            assertThat(e.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);
            assertThat(e.getMessage()).startsWith("invalid arg 'x-stream-offset' for " + WHAT);
        }
    }

    @Test
    void durationsUseRabbitMqsUnits() {
        assertThat(StreamArguments.durationMillis("1Y")).isEqualTo(365L * 86_400_000L);
        assertThat(StreamArguments.durationMillis("2M")).isEqualTo(60L * 86_400_000L);
        assertThat(StreamArguments.durationMillis("1h")).isEqualTo(3_600_000L);
        assertThat(StreamArguments.durationMillis("10s")).isEqualTo(10_000L);
        assertThat(StreamArguments.durationMillis("10")).isEqualTo(-1);
        assertThat(StreamArguments.durationMillis("10d")).isEqualTo(-1);
    }

    @Test
    void declarationArgumentsAndDefaults() {
        QueueSpec spec = new QueueSpec("s", true, false, false, Map.of("x-queue-type", "stream",
                "x-max-length-bytes", 1000, "x-max-age", "1h"));
        StreamArguments a = StreamArguments.parse(spec, WHAT);
        assertThat(a).isEqualTo(new StreamArguments(1000, 3_600_000, 500_000_000L));
        assertThat(StreamArguments.requested(spec.arguments())).isTrue();
        assertThat(StreamArguments.requested(Map.of("x-queue-type", "classic"))).isFalse();
    }
}
