package dev.junction.routing.stream;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.HeaderValues;
import dev.junction.storage.stream.StreamLog;
import java.time.Instant;
import java.util.Date;

/**
 * Where a stream consumer starts: the {@code x-stream-offset} consumer argument as RabbitMQ reads it ("Streams",
 * "Consuming"): {@code first}, {@code last}, {@code next} (the default), an offset (integer), a timestamp (AMQP
 * timestamp type, seconds) or an interval string such as {@code "30m"} or {@code "7D"} (from that long ago).
 *
 * <p>{@code last}: RabbitMQ starts at the last chunk (a batch its writer made), so a consumer may get several
 * messages published before it; Junction starts at the last message, the newest one durable when the consumer
 * becomes active (one message; none in an empty stream).
 */
record StreamOffset(Kind kind, long value) {
    enum Kind { FIRST, LAST, NEXT, OFFSET, TIMESTAMP }

    static final String ARGUMENT = "x-stream-offset";

    /** {@code what}: RabbitMQ's name of the queue, for the 406 on a value that is none of the above. */
    static StreamOffset parse(Object arg, String what, long now) {
        if (arg == null) {
            return new StreamOffset(Kind.NEXT, 0);
        }
        if (arg instanceof Instant t) {
            return new StreamOffset(Kind.TIMESTAMP, t.getEpochSecond() * 1000);
        }
        if (arg instanceof Date d) {
            return new StreamOffset(Kind.TIMESTAMP, d.getTime() / 1000 * 1000);
        }
        if (HeaderValues.isInteger(arg) && ((Number) arg).longValue() >= 0) {
            return new StreamOffset(Kind.OFFSET, ((Number) arg).longValue());
        }
        String s = HeaderValues.asString(arg);
        if (s != null) {
            switch (s) {
                case "first":
                    return new StreamOffset(Kind.FIRST, 0);
                case "last":
                    return new StreamOffset(Kind.LAST, 0);
                case "next":
                    return new StreamOffset(Kind.NEXT, 0);
                default:
                    long ms = StreamArguments.durationMillis(s);
                    if (ms > 0) {
                        return new StreamOffset(Kind.TIMESTAMP, now - ms);
                    }
            }
        }
        throw BrokerException.preconditionFailed("invalid arg '" + ARGUMENT + "' for " + what
                + ": {invalid_stream_offset_arg," + arg + "}");
    }

    /** The first offset to deliver, in {@code log} as it is now. */
    long resolve(StreamLog log) {
        long end = log.end();
        return switch (kind) {
            case FIRST -> log.first();
            case LAST -> Math.max(log.first(), end - 1);
            case NEXT -> end;
            case OFFSET -> Math.min(Math.max(value, log.first()), end);
            case TIMESTAMP -> log.offsetAt(value);
        };
    }
}
