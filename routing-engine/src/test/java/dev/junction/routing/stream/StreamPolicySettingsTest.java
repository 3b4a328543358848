package dev.junction.routing.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.storage.stream.StreamLogSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stream policy keys: how they are checked, and how they combine with a stream's own arguments. */
class StreamPolicySettingsTest {

    private static StreamArguments declared(Map<String, Object> args) {
        return StreamArguments.parse(new QueueSpec("s", true, false, false, args), "queue 's' in vhost '/'");
    }

    @Test
    void theLowerOfArgumentAndPolicyWinsAndEitherAloneApplies() {
        PolicyDefinition policy = PolicyDefinition.parse(Map.of("max-length-bytes", 20_000, "max-age", "1h",
                "stream-max-segment-size-bytes", 4_000));
        StreamArguments none = declared(Map.of("x-queue-type", "stream"));
        assertThat(none.logSettings(policy, false)).isEqualTo(new StreamLogSettings(4_000, 20_000, 3_600_000));
        StreamArguments own = declared(Map.of("x-queue-type", "stream", "x-max-length-bytes", 10_000,
                "x-max-age", "7D", "x-stream-max-segment-size-bytes", 8_000));
        assertThat(own.logSettings(policy, true)).isEqualTo(new StreamLogSettings(4_000, 10_000, 3_600_000));
        assertThat(own.logSettings(PolicyDefinition.NONE, true)).isEqualTo(own.logSettings());
    }

    @Test
    void aPolicySegmentSizeAboveTheDefaultAppliesWhenTheStreamDeclaredNone() {
        PolicyDefinition policy = PolicyDefinition.parse(Map.of("stream-max-segment-size-bytes", 1_000_000_000L));
        StreamArguments none = declared(Map.of("x-queue-type", "stream"));
        assertThat(none.logSettings(policy, false).maxSegmentBytes()).isEqualTo(1_000_000_000L);
    }

    @Test
    void badValuesAreRefusedWithRabbitMqsTexts() {
        assertThatThrownBy(() -> PolicyDefinition.parse(Map.of("max-age", "7 days")))
                .isInstanceOf(BrokerException.class).hasMessageContaining("7 days is not a valid max age");
        assertThatThrownBy(() -> PolicyDefinition.parse(Map.of("max-age", 60)))
                .hasMessageContaining("60 is not a valid max age");
        assertThatThrownBy(() -> PolicyDefinition.parse(Map.of("stream-max-segment-size-bytes", 4_000_000_000L)))
                .hasMessageContaining("4000000000 is not a valid segment size");
        assertThatThrownBy(() -> PolicyDefinition.parse(Map.of("stream-max-segment-size-bytes", -1)))
                .hasMessageContaining("-1 is not a valid segment size");
    }
}
