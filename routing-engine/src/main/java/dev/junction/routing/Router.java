package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.exchange.DelayedExchange;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.QueueTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Computes the queues a message reaches from an exchange, and for each the bindings into it that matched: follows
 * exchange-to-exchange bindings and alternate exchanges breadth-first, visits each exchange at most once (so cycles
 * end) and returns each queue once however many paths lead to it. Sender-selected distribution (CC and BCC headers)
 * adds routing keys.
 *
 * <h2>Matched bindings</h2>
 * For each queue the result holds the bindings into that queue that matched the message by its own routing key (or
 * headers), which the queue entry keeps for its delivery ({@link dev.junction.routing.api.Delivery#matched()}). A
 * binding that matched only a CC or BCC key routes the message there but is not listed: the consumer sees the
 * message under its own routing key, and a binding it lists must match what the consumer sees (an MQTT subscriber
 * gets only topics its filters match [MQTT-3.3.2-3]). The value is null for a queue reached through the default
 * exchange, whose binding is implicit (the delivery then works its bindings out if asked).
 *
 * <h2>Cost</h2>
 * The same per publish as a plain set of queues (a {@code LinkedHashMap} entry per queue in a {@link RouteResult}, and
 * no map for a single queue): a binding is emitted as its own one-element list, made when it was bound, so the common
 * case of one binding per queue stores a shared list and allocates nothing. Only a queue matched by two or more
 * bindings gets a list of its own.
 *
 * <h2>Held copies</h2>
 * A delayed exchange on the walk may hold the message instead of routing it; the store write of a held persistent
 * copy goes into the result with the queues, and the publish's confirm waits for it ({@link RouteResult}), so a
 * confirm waits for exactly the writes of its own message.
 */
final class Router {
    private final Function<String, Exchange> exchanges;
    private final Function<String, QueueTarget> queues;
    /** For a direct reply-to name of another cluster node, that node's relay; else null (always alone). */
    private final Function<String, String> replyRelays;

    Router(Function<String, Exchange> exchanges, Function<String, QueueTarget> queues,
           Function<String, String> replyRelays) {
        this.exchanges = exchanges;
        this.queues = queues;
        this.replyRelays = replyRelays;
    }

    /**
     * The queues {@code message} reaches, in the order first reached, each with its matched bindings (above), and
     * the store writes of copies that delayed exchanges held.
     */
    RouteResult route(Exchange start, Message message) {
        return walk(start, message, true);
    }

    /** {@link #route} without holding anything: a delayed exchange that would hold the message leads nowhere. */
    RouteResult dryRun(Exchange start, Message message) {
        return walk(start, message, false);
    }

    private RouteResult walk(Exchange start, Message message, boolean hold) {
        List<String> keys = routingKeys(message);
        Walk walk = new Walk();
        if (start == null) {
            // The default exchange: an implicit binding from every queue's name to the queue; in a cluster, a name of
            // no queue here may be another node's queue of one node, reached through its relay (RelayedNames).
            for (String key : keys) {
                QueueTarget q = queues.apply(key);
                if (q != null) {
                    walk.result.putIfAbsent(q, null);
                } else if (key.startsWith(DirectReplies.PREFIX)) {
                    // RabbitMQ's direct reply-to name of another node: into that node's relay, which hands it to
                    // the name's consumer (docs/cluster.md, "Direct reply-to across nodes"); never a queue by name.
                    String relay = replyRelays.apply(key);
                    QueueTarget r = relay == null ? null : queues.apply(relay);
                    if (r != null) {
                        walk.result.putIfAbsent(r, null);
                    }
                } else {
                    RelayedNames.route(exchanges.apply(RelayedNames.EXCHANGE), message, key, queues, walk);
                }
            }
            return walk.result;
        }
        walk.pending.add(start);
        for (int i = 0; i < walk.pending.size(); i++) {
            Exchange x = walk.pending.get(i);
            CompletableFuture<Void> held = !(x instanceof DelayedExchange delayed) ? null
                    : hold ? delayed.hold(message) : delayed.wouldHold(message);
            if (held != null) {
                // Held until its x-delay is up, then routed from this exchange as the plugin does.
                walk.result.held(held);
                continue;
            }
            walk.matchedAny = false;
            walk.byOwnKey = true;
            if (keys.size() == 1) {
                x.route(message, keys, walk);
            } else {
                // Sender-selected keys: the own key first, then the CC/BCC keys, whose bindings are not listed. An
                // exchange that ignores keys (fanout, headers) emits its bindings twice; the second changes nothing.
                x.route(message, keys.subList(0, 1), walk);
                walk.byOwnKey = false;
                x.route(message, keys.subList(1, keys.size()), walk);
            }
            if (!walk.matchedAny && x.alternateExchange() != null) {
                walk.follow(exchanges.apply(x.alternateExchange()));
            }
        }
        return walk.result;
    }

    /** One route's state: what it found so far; also the sink every exchange on the way emits matches into. */
    private final class Walk implements Consumer<List<Binding>> {
        final RouteResult result = new RouteResult();
        final List<Exchange> pending = new ArrayList<>(2);
        boolean matchedAny;
        /** Whether the exchange is matching the message's own key (else a CC/BCC key: the binding is not listed). */
        boolean byOwnKey;

        @Override
        public void accept(List<Binding> matched) {
            matchedAny = true;
            Binding b = matched.get(0);
            if (!b.toQueue()) {
                follow(exchanges.apply(b.destination()));
                return;
            }
            QueueTarget q = queues.apply(b.destination());
            if (q == null) {
                return;
            }
            List<Binding> known = result.putIfAbsent(q, byOwnKey ? matched : List.of());
            if (known != null && byOwnKey && !known.contains(b)) {
                result.put(q, known.isEmpty() ? matched : grown(known, b));
            }
        }

        void follow(Exchange x) {
            if (x != null && !pending.contains(x)) {
                pending.add(x);
            }
        }
    }

    /**
     * {@code known} and {@code b}: a new list (only for a queue that two or more bindings reach with one message).
     * Two bindings, the usual overlap, take one 24-byte immutable pair.
     */
    private static List<Binding> grown(List<Binding> known, Binding b) {
        if (known.size() == 1) {
            return List.of(known.get(0), b);
        }
        Binding[] all = known.toArray(new Binding[known.size() + 1]);
        all[known.size()] = b;
        return List.of(all);
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
