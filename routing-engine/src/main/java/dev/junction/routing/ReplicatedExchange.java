package dev.junction.routing;

import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.exchange.Exchange;

/**
 * Which exchanges have their definition (and their bindings to other replicated objects) kept in the engine's
 * {@code DefinitionStore}: on a single node the durable ones, as AMQP 0-9-1 defines durability (exchange.declare
 * {@code durable}: the exchange survives a server restart; a transient one is lost then, so it never touches the
 * store). On a cluster node, whose engine commits definitions through the metadata log, also every named transient
 * exchange: in a RabbitMQ cluster an exchange is cluster-wide whatever its durability, and clients rely on it (the
 * RabbitMQ tutorials' publish/subscribe, routing and topics examples declare a non-durable exchange on both sides,
 * which then must be one exchange on every node). The exchange keeps {@code durable=false} as its attribute, so
 * redeclaring it is judged as RabbitMQ does. The default exchange and the built-in {@code amq.*} ones are on every
 * node already and never replicated. See docs/cluster.md, "What is replicated".
 */
public final class ReplicatedExchange {

    private ReplicatedExchange() {
    }

    /** Whether {@code x} is replicated on a cluster node (a durable or named transient exchange). */
    public static boolean inCluster(Exchange x) {
        return inCluster(x.name(), x.durable());
    }

    static boolean inCluster(ExchangeSpec spec) {
        return inCluster(spec.name(), spec.durable());
    }

    /** Whether the engine keeps {@code spec}'s definition in its store: durable, or in a cluster named transient. */
    static boolean of(RoutingEngine engine, ExchangeSpec spec) {
        return engine.definitionLog() == null ? spec.durable() : inCluster(spec);
    }

    static boolean of(RoutingEngine engine, Exchange x) {
        return of(engine, x.spec());
    }

    private static boolean inCluster(String name, boolean durable) {
        return durable || (!name.isEmpty() && !name.startsWith("amq."));
    }
}
