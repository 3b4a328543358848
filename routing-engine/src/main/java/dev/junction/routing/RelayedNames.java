package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.NodeRelays;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.QueueTarget;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How a publish through the default exchange reaches a queue that another cluster node alone has (docs/cluster.md,
 * "Queues of one node"): the reply of RabbitMQ's RPC pattern, published by the server to the default exchange with
 * the {@code reply_to} of a client's server-named exclusive queue as routing key.
 *
 * <p>The default exchange's bindings are implicit (one per queue, keyed by its name) and a node knows only its own
 * queues of one node. So each node's relay ({@code api.NodeRelay}) carries, besides the bindings of those queues from
 * durable exchanges, one binding per such queue from {@link #EXCHANGE}, keyed by the queue's name: an internal
 * durable direct exchange, replicated as any, that stands for the default exchange in the relays' bindings. The
 * default exchange itself keeps refusing bindings made by hand, and nothing can publish to {@link #EXCHANGE}
 * (internal) nor bind from it but a relay ({@link #refuseBind}), so no client reads what it carries.
 *
 * <p>The rule ({@link #route}): a publish through the default exchange goes into the queue of that name on this node
 * if there is one, as on a single node; only when there is none does it go into the relay of a node that has one,
 * and into one relay only, the first bound (the same on every node, which apply the bindings in one order): a name
 * denotes one queue, and two nodes that each declared a queue of one node under the same name must not both get a
 * request. Never into this node's own relay, which the router leaves out. The owning node's relay consumer routes
 * the message again from the default exchange into its own queue ({@link VhostPublishing#publishHere}).
 */
public final class RelayedNames {
    /** The source of the relays' bindings for names, in every vhost that has a relay. */
    public static final String EXCHANGE = "junction.relay.names";
    /**
     * Queues named by the MQTT adapter for a client id or a share group: never addressed through the default
     * exchange, so left without a relay binding (each would cost a metadata-log entry per clean session).
     */
    private static final String MQTT_PREFIX = "mqtt.";

    private RelayedNames() {
    }

    public static ExchangeSpec spec() {
        return new ExchangeSpec(EXCHANGE, "direct", true, false, true, Map.of());
    }

    /** Whether {@code q} gets a relay binding for its name: a queue of this node alone not named by MQTT. */
    public static boolean addressed(QueueTarget q) {
        return VhostPublishing.nodeOnly(q) && !q.name().startsWith(MQTT_PREFIX);
    }

    /** The relay binding that carries publishes to the default exchange keyed {@code queueName}. */
    public static Binding binding(String relayQueue, String queueName) {
        return Binding.toQueue(EXCHANGE, relayQueue, queueName, Map.of());
    }

    /**
     * For a routing key that names no queue here: emits into {@code sink} the first binding of {@code names} keyed
     * {@code key} whose relay this node routes into (not its own), if any.
     */
    static void route(Exchange names, Message message, String key, Function<String, QueueTarget> queues,
                      Consumer<List<Binding>> sink) {
        if (names == null) {
            return; // alone, or no node has a relay in this vhost
        }
        boolean[] found = new boolean[1];
        names.route(message, List.of(key), matched -> {
            if (!found[0] && queues.apply(matched.get(0).destination()) != null) {
                found[0] = true;
                sink.accept(matched);
            }
        });
    }

    /** {@link #EXCHANGE} is declared by the relays alone, as {@link #spec}: a client's would stop them binding. */
    static void refuseDeclare(ExchangeSpec spec) {
        if (spec.name().equals(EXCHANGE) && !spec.equals(spec())) {
            throw BrokerException.accessRefused("exchange name '" + EXCHANGE + "' is reserved for the relays");
        }
    }

    /** Only a node's relay is bound from {@link #EXCHANGE}: another queue would read replies meant for others. */
    static void refuseBind(Binding b) {
        if (b.source().equals(EXCHANGE) && !(b.toQueue() && NodeRelays.isRelay(b.destination()))) {
            throw BrokerException.accessRefused("exchange '" + EXCHANGE + "' is the relays' own: only a node's relay"
                    + " is bound from it");
        }
    }
}
