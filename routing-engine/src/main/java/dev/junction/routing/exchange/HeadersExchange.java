package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes by comparing message headers with binding arguments. {@code x-match} selects the rule: {@code all}
 * (default) or {@code any}; the {@code -with-x} variants also compare arguments whose names start with "x-".
 * An argument with a void (null) value matches on the header's presence alone, as in RabbitMQ.
 */
final class HeadersExchange extends Exchange {
    /** A binding with its parsed {@code x-match}; {@code route} is the binding as {@link #route} emits it. */
    private record Matcher(List<Binding> route, boolean any, boolean withX) {
        Matcher(Binding binding, boolean any, boolean withX) {
            this(alone(binding), any, withX);
        }

        Binding binding() {
            return route.get(0);
        }
    }

    private final List<Matcher> matchers = new CopyOnWriteArrayList<>();

    HeadersExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.HEADERS);
    }

    @Override
    public boolean bind(Binding binding) {
        Matcher m = matcherFor(binding);
        for (Matcher existing : matchers) {
            if (existing.binding().equals(binding)) {
                return false;
            }
        }
        return matchers.add(m);
    }

    @Override
    public boolean unbind(Binding binding) {
        return matchers.removeIf(m -> m.binding().equals(binding));
    }

    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        Map<String, Object> headers = message.properties().headers();
        for (Matcher m : matchers) {
            if (matches(m, headers)) {
                sink.accept(m.route);
            }
        }
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return matches(matcherFor(binding), message.properties().headers());
    }

    @Override
    public Collection<Binding> bindings() {
        return matchers.stream().map(Matcher::binding).toList();
    }

    /** Validates {@code x-match} when a binding is made, so a bad value fails the bind, not every publish. */
    static Matcher matcherFor(Binding binding) {
        Object xMatch = binding.arguments().get("x-match");
        String mode = xMatch == null ? "all" : HeaderValues.asString(xMatch);
        if (mode == null) {
            throw BrokerException.preconditionFailed("invalid x-match field type; expected longstr");
        }
        return switch (mode) {
            case "all" -> new Matcher(binding, false, false);
            case "any" -> new Matcher(binding, true, false);
            case "all-with-x" -> new Matcher(binding, false, true);
            case "any-with-x" -> new Matcher(binding, true, true);
            default -> throw BrokerException.preconditionFailed(
                    "x-match field value '" + mode + "' is invalid; expected all, any, all-with-x or any-with-x");
        };
    }

    private static boolean matches(Matcher m, Map<String, Object> headers) {
        boolean anyMatched = false;
        for (Map.Entry<String, Object> arg : m.binding().arguments().entrySet()) {
            String key = arg.getKey();
            if (key.equals("x-match") || (!m.withX && key.startsWith("x-"))) {
                continue;
            }
            boolean present = headers.containsKey(key);
            boolean ok = present && (arg.getValue() == null || HeaderValues.equal(arg.getValue(), headers.get(key)));
            if (m.any && ok) {
                return true;
            }
            if (!m.any && !ok) {
                return false;
            }
            anyMatched |= ok;
        }
        return !m.any || anyMatched;
    }
}
