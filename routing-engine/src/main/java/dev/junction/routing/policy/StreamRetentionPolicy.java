package dev.junction.routing.policy;

import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.stream.StreamArguments;
import java.util.Map;

/**
 * A policy's stream keys beside {@code max-length-bytes} (which classic queues share): {@code max-age} in
 * RabbitMQ's duration form ({@code "7D"}, {@code "1h"}) and {@code stream-max-segment-size-bytes} (at most 3 GB),
 * checked as {@code rabbit_policies} checks them. Null where the policy says nothing.
 */
public record StreamRetentionPolicy(Long maxAgeMillis, Long maxSegmentBytes) {
    static final String MAX_AGE = "max-age";
    static final String SEGMENT = "stream-max-segment-size-bytes";

    static final StreamRetentionPolicy NONE = new StreamRetentionPolicy(null, null);

    static StreamRetentionPolicy parse(Map<String, Object> d) {
        Long age = null;
        Object a = d.get(MAX_AGE);
        if (a != null) {
            String s = HeaderValues.asString(a);
            long ms = s == null ? -1 : StreamArguments.durationMillis(s);
            if (ms <= 0) {
                throw PolicyDefinition.invalid(a + " is not a valid max age");
            }
            age = ms;
        }
        Long segment = null;
        Object v = d.get(SEGMENT);
        if (v != null) {
            if (!HeaderValues.isInteger(v) || ((Number) v).longValue() < 0
                    || ((Number) v).longValue() > StreamArguments.MAX_SEGMENT_BYTES) {
                throw PolicyDefinition.invalid(v + " is not a valid segment size");
            }
            // 0 is accepted as RabbitMQ accepts it, and means the default, as for the argument.
            segment = ((Number) v).longValue() == 0 ? null : ((Number) v).longValue();
        }
        return age == null && segment == null ? NONE : new StreamRetentionPolicy(age, segment);
    }
}
