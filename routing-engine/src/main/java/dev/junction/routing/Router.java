package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Computes the set of queues a message reaches from an exchange: follows exchange-to-exchange bindings and
 * alternate exchanges breadth-first, visits each exchange at most once (so cycles end) and returns each queue
 * once however many paths lead to it. Sender-selected distribution (CC and BCC headers) adds routing keys.
 */
final class Router {
    private final Function<String, Exchange> exchanges;
    private final Function<String, Queue> queues;

    Router(Function<String, Exchange> exchanges, Function<String, Queue> queues) {
        this.exchanges = exchanges;
        this.queues = queues;
    }

    Collection<Queue> route(Exchange start, Message message) {
        List<String> keys = routingKeys(message);
        Set<Queue> result = new LinkedHashSet<>(8);
        if (start == null) {
            // The default exchange: an implicit binding from every queue's name to the queue.
            for (String key : keys) {
                Queue q = queues.apply(key);
                if (q != null) {
                    result.add(q);
                }
            }
            return result;
        }
        List<Exchange> pending = new ArrayList<>(2);
        List<Exchange> visited = new ArrayList<>(2);
        pending.add(start);
        visited.add(start);
        for (int i = 0; i < pending.size(); i++) {
            Exchange x = pending.get(i);
            boolean[] matchedAny = {false};
            x.route(message, keys, binding -> {
                matchedAny[0] = true;
                follow(binding, result, pending, visited);
            });
            if (!matchedAny[0] && x.alternateExchange() != null) {
                Exchange ae = exchanges.apply(x.alternateExchange());
                if (ae != null && !visited.contains(ae)) {
                    visited.add(ae);
                    pending.add(ae);
                }
            }
        }
        return result;
    }

    private void follow(Binding b, Set<Queue> result, List<Exchange> pending, List<Exchange> visited) {
        if (b.toQueue()) {
            Queue q = queues.apply(b.destination());
            if (q != null) {
                result.add(q);
            }
        } else {
            Exchange x = exchanges.apply(b.destination());
            if (x != null && !visited.contains(x)) {
                visited.add(x);
                pending.add(x);
            }
        }
    }

    private static List<String> routingKeys(Message m) {
        Map<String, Object> headers = m.properties().headers();
        if (headers.isEmpty() || (!headers.containsKey("CC") && !headers.containsKey("BCC"))) {
            return List.of(m.routingKey());
        }
        List<String> keys = new ArrayList<>();
        keys.add(m.routingKey());
        addKeys(keys, headers.get("CC"));
        addKeys(keys, headers.get("BCC"));
        return keys;
    }

    private static void addKeys(List<String> keys, Object header) {
        if (header instanceof List<?> list) {
            for (Object o : list) {
                String s = HeaderValues.asString(o);
                if (s != null && !keys.contains(s)) {
                    keys.add(s);
                }
            }
        }
    }
}
