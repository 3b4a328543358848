package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.routing.stream.StreamEquivalence;

/**
 * The AMQP rule that redeclaring an entity must ask for exactly what exists: otherwise 406 PRECONDITION_FAILED
 * naming the first setting that differs, worded as RabbitMQ words it.
 */
final class Equivalence {
    private Equivalence() {
    }

    static void exchange(String vhost, Exchange x, ExchangeSpec spec) {
        String what = "exchange '" + x.name() + "' in vhost '" + vhost + "'";
        check(what, "type", x.type().wireName(), spec.type());
        check(what, "durable", x.durable(), spec.durable());
        check(what, "auto_delete", x.autoDelete(), spec.autoDelete());
        check(what, "internal", x.internal(), spec.internal());
        Object ae = x.arguments().get("alternate-exchange");
        Object requested = spec.arguments().get("alternate-exchange");
        if (!(ae == null ? requested == null : HeaderValues.equal(ae, requested))) {
            throw BrokerException.preconditionFailed("inequivalent arg 'alternate-exchange' for " + what
                    + ": received " + requested + " but current is " + ae);
        }
    }

    static void queue(String what, QueueSpec current, QueueSpec requested) {
        properties(what, current, requested);
        QueueArguments.checkEquivalent(current.arguments(), requested.arguments(), what);
    }

    /** A stream compares the same properties, then only the arguments RabbitMQ's stream queue type lists. */
    static void stream(String what, QueueSpec current, QueueSpec requested) {
        properties(what, current, requested);
        StreamEquivalence.check(current.arguments(), requested.arguments(), what);
    }

    private static void properties(String what, QueueSpec current, QueueSpec requested) {
        check(what, "durable", current.durable(), requested.durable());
        check(what, "exclusive", current.exclusive(), requested.exclusive());
        check(what, "auto_delete", current.autoDelete(), requested.autoDelete());
    }

    private static void check(String what, String field, Object current, Object requested) {
        if (!current.equals(requested)) {
            throw BrokerException.preconditionFailed("inequivalent arg '" + field + "' for " + what
                    + ": received '" + requested + "' but current is '" + current + "'");
        }
    }
}
