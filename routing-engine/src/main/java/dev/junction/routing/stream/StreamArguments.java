package dev.junction.routing.stream;

import dev.junction.routing.ReplicatedQueueProperties;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.routing.policy.StreamRetentionPolicy;
import dev.junction.storage.stream.StreamLogSettings;
import java.util.Map;

/**
 * A stream's declaration, checked as RabbitMQ 3.10 checks it ("Streams", "Declaring"): streams are always
 * durable, never exclusive nor auto-delete; retention by {@code x-max-length-bytes} and {@code x-max-age}
 * ({@code "7D"}: a positive number with {@code Y M D h m s}); segments of {@code x-stream-max-segment-size-bytes}
 * (default 500 MB, at most 3 GB). Texts are RabbitMQ's.
 */
public record StreamArguments(long maxLengthBytes, long maxAgeMillis, long maxSegmentBytes) {
    public static final long MAX_SEGMENT_BYTES = 3_000_000_000L;

    /** Whether the declaration asks for a stream ({@code x-queue-type: stream}). */
    public static boolean requested(Map<String, Object> args) {
        return "stream".equals(HeaderValues.asString(args.get("x-queue-type")));
    }

    /** {@code what} is RabbitMQ's name of the queue: {@code queue 'q' in vhost '/'}. */
    public static StreamArguments parse(QueueSpec spec, String what) {
        Map<String, Object> args = spec.arguments();
        long maxBytes = nonNegative(args, "x-max-length-bytes", what);
        long segment = nonNegative(args, "x-stream-max-segment-size-bytes", what);
        long maxAge = 0;
        if (args.containsKey("x-max-age")) {
            String s = HeaderValues.asString(args.get("x-max-age"));
            long ms = s == null ? -1 : durationMillis(s);
            if (ms <= 0) {
                throw BrokerException.preconditionFailed("invalid arg 'x-max-age' for " + what + ": "
                        + (s == null ? "{unacceptable_type," + typeName(args.get("x-max-age")) + "}"
                        : "invalid_max_age"));
            }
            maxAge = ms;
        }
        // rabbit_queue_type_util's checks, in its order, then the segment size.
        ReplicatedQueueProperties.check(spec, what);
        if (segment > MAX_SEGMENT_BYTES) {
            throw BrokerException.preconditionFailed("Exceeded max value for x-stream-max-segment-size-bytes");
        }
        return new StreamArguments(maxBytes, maxAge, segment > 0 ? segment : StreamLogSettings.DEFAULT_SEGMENT_BYTES);
    }

    StreamLogSettings logSettings() {
        return new StreamLogSettings(maxSegmentBytes, maxLengthBytes, maxAgeMillis);
    }

    /**
     * The log's settings under a policy: for {@code max-length-bytes}, {@code max-age} and
     * {@code stream-max-segment-size-bytes} each, the lower of the argument and the policy's value when both are
     * set, else the one that is (RabbitMQ's {@code rabbit_stream_queue} resolves its retention so, and its classic
     * queues {@code max-length-bytes} too). {@code segmentDeclared}: whether the segment size was an argument
     * rather than the default.
     */
    StreamLogSettings logSettings(PolicyDefinition policy, boolean segmentDeclared) {
        StreamRetentionPolicy stream = policy.stream();
        long segment = stream.maxSegmentBytes() == null ? maxSegmentBytes
                : segmentDeclared ? Math.min(maxSegmentBytes, stream.maxSegmentBytes()) : stream.maxSegmentBytes();
        return new StreamLogSettings(segment, lower(maxLengthBytes, policy.maxLengthBytes()),
                lower(maxAgeMillis, stream.maxAgeMillis()));
    }

    /** The lower of two limits; 0 or null is none (a policy's 0 means what the argument's 0 means here). */
    private static long lower(long argument, Long policy) {
        if (policy == null || policy == 0) {
            return argument;
        }
        return argument == 0 ? policy : Math.min(argument, policy);
    }

    /**
     * RabbitMQ's durations for {@code x-max-age} and interval offsets: a positive whole number and one unit of
     * {@code Y} (365 days), {@code M} (30 days), {@code D}, {@code h}, {@code m}, {@code s}; -1 when not one.
     */
    public static long durationMillis(String s) {
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 12 || i != s.length() - 1) {
            return -1;
        }
        long n = Long.parseLong(s.substring(0, i));
        long unit = switch (s.charAt(i)) {
            case 'Y' -> 365L * 86_400_000L;
            case 'M' -> 30L * 86_400_000L;
            case 'D' -> 86_400_000L;
            case 'h' -> 3_600_000L;
            case 'm' -> 60_000L;
            case 's' -> 1000L;
            default -> -1;
        };
        return n <= 0 || unit < 0 ? -1 : n * unit;
    }

    private static long nonNegative(Map<String, Object> args, String key, String what) {
        Object v = args.get(key);
        if (v == null) {
            return 0;
        }
        if (!HeaderValues.isInteger(v) || ((Number) v).longValue() < 0) {
            throw BrokerException.preconditionFailed("invalid arg '" + key + "' for " + what + ": "
                    + (HeaderValues.isInteger(v) ? "{value_negative," + v + "}" : "{unacceptable_type,"
                    + typeName(v) + "}"));
        }
        return ((Number) v).longValue();
    }

    private static String typeName(Object v) {
        return v == null ? "void" : HeaderValues.asString(v) != null ? "longstr" : v.getClass().getSimpleName();
    }
}
