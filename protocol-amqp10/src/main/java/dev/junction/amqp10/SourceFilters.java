package dev.junction.amqp10;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;

/**
 * A consumer's source filter set [AMQP 1.0 part 3 section 3.5.1 source, filter-set], read as RabbitMQ 4 reads it.
 * The one filter taken is RabbitMQ's {@code rabbitmq:stream-offset-spec}, where a stream consumer starts: an entry
 * whose value is described by that symbol (under any key, as RabbitMQ 4.1 takes it), or, as RabbitMQ 4.0 still
 * took it, a plain value under that key. Its value becomes the {@code x-stream-offset} consumer argument of AMQP
 * 0-9-1, so both protocols share the engine's parser:
 * <ul>
 * <li>string or symbol: {@code first}, {@code last}, {@code next} or an interval such as {@code 30m};</li>
 * <li>an integer of any width, signed or not: that offset;</li>
 * <li>a timestamp: the first message stamped then or later (RabbitMQ, and the 0-9-1 argument, count it in
 * seconds).</li>
 * </ul>
 * A value of another type is {@code amqp:invalid-field}; a string or integer the engine cannot read is its 406,
 * {@code amqp:precondition-failed}, as 0-9-1's {@code basic.consume} gets it. A queue that is not a stream ignores
 * the argument, as it ignores 0-9-1's.
 *
 * <p>Every other filter is refused with {@code amqp:not-implemented} rather than left out of the answer: a client
 * that did not check the filters in place [part 3 section 3.5.3: "the receiving endpoint MUST check"] would
 * otherwise get every message silently. That covers RabbitMQ's Bloom-filter stream filtering
 * ({@code rabbitmq:stream-filter}, {@code rabbitmq:stream-match-unfiltered}), its 4.1 filter expressions
 * ({@code amqp:properties-filter}, {@code amqp:application-properties-filter}, SQL) and JMS selectors and
 * no-local.
 */
final class SourceFilters {
    static final Symbol OFFSET_SPEC = Symbol.valueOf("rabbitmq:stream-offset-spec");
    /** The consumer argument an offset spec becomes, as 0-9-1's {@code basic.consume} carries it. */
    static final String OFFSET_ARGUMENT = "x-stream-offset";
    private static final String STREAM_FILTER_PREFIX = "rabbitmq:stream-";

    /** The filters in place, to echo in the attach's source, and the consumer arguments they ask for. */
    record Accepted(Map<Symbol, Object> inPlace, Map<String, Object> arguments) {
    }

    private SourceFilters() {
    }

    /** Reads {@code filter} (null or empty: none, so a stream starts at {@code next}); throws a link refusal. */
    static Accepted read(Map<?, ?> filter) {
        if (filter == null || filter.isEmpty()) {
            return new Accepted(null, Map.of());
        }
        Map<Symbol, Object> inPlace = new LinkedHashMap<>();
        Map<String, Object> arguments = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : filter.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object value = e.getValue();
            String descriptor = value instanceof DescribedType d ? String.valueOf(d.getDescriptor()) : null;
            boolean offsetSpec = OFFSET_SPEC.toString().equals(descriptor)
                    || (descriptor == null && OFFSET_SPEC.toString().equals(key));
            if (!offsetSpec) {
                throw refused(key, descriptor);
            }
            if (arguments.containsKey(OFFSET_ARGUMENT)) {
                throw Refusal.link(Condition.INVALID_FIELD, "more than one " + OFFSET_SPEC + " filter");
            }
            Object spec = value instanceof DescribedType d ? d.getDescribed() : value;
            arguments.put(OFFSET_ARGUMENT, offsetArgument(spec));
            inPlace.put(e.getKey() instanceof Symbol s ? s : Symbol.valueOf(key), value);
        }
        return new Accepted(inPlace, arguments);
    }

    /** The value as the 0-9-1 argument's kinds: a string, a long, or a timestamp ({@link Date}). */
    static Object offsetArgument(Object spec) {
        if (spec instanceof String || spec instanceof Date) {
            return spec;
        }
        if (spec instanceof Symbol s) {
            return s.toString();
        }
        if (spec instanceof Long || spec instanceof Integer || spec instanceof Short || spec instanceof Byte) {
            return ((Number) spec).longValue();
        }
        if (spec instanceof UnsignedLong u) {
            // past 2^63-1 no stream reaches: the end, as an offset past the end means
            return u.longValue() < 0 ? Long.MAX_VALUE : u.longValue();
        }
        if (spec instanceof UnsignedInteger || spec instanceof UnsignedShort || spec instanceof UnsignedByte) {
            return ((Number) spec).longValue();
        }
        throw Refusal.link(Condition.INVALID_FIELD, OFFSET_SPEC + " takes first, last, next, an offset, a timestamp"
                + " or an interval such as 30m, not " + (spec == null ? "null" : spec.getClass().getSimpleName()));
    }

    private static Refusal refused(String key, String descriptor) {
        String name = descriptor != null ? descriptor : key;
        if (name.startsWith(STREAM_FILTER_PREFIX) || key.startsWith(STREAM_FILTER_PREFIX)) {
            return Refusal.link(Condition.NOT_IMPLEMENTED, "stream filtering (" + name + ") is not supported");
        }
        return Refusal.link(Condition.NOT_IMPLEMENTED, "filters are not supported (JMS selectors, no-local, filter"
                + " expressions); only " + OFFSET_SPEC + ": " + key + (descriptor == null ? "" : " " + descriptor));
    }
}
