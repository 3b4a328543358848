package dev.junction.amqp10;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine's side of an {@link Address}: the queues an attach declares or must find, and the exchanges it must
 * find, with the permission each step needs (see {@link Access}). Engine refusals come out as
 * {@code BrokerException}s, which the dispatcher translates; a missing queue or exchange is {@code amqp:not-found}
 * on the link.
 */
final class Terminus {
    private Terminus() {
    }

    /**
     * The queue an address names: declared durable when {@code declare} and missing, else it must exist. A
     * consumer's source is checked as a passive declare is, so another connection's exclusive queue is
     * {@code amqp:resource-locked}; a publisher's target only needs the queue to exist, as publishing to an
     * exclusive queue through the default exchange does in 0-9-1 (a JMS temporary queue, answered by another
     * connection).
     */
    static String queue(Opened o, Address.Queue q, boolean consumer) {
        Vhost vhost = o.vhost();
        if (q.declare() && vhost.queue(q.name()).isEmpty()) {
            o.access().configureQueue(q.name());
            vhost.declareQueue(QueueSpec.durable(q.name()), o.conn(), false);
        } else if (consumer) {
            vhost.declareQueue(QueueSpec.durable(q.name()), o.conn(), true); // NOT_FOUND, RESOURCE_LOCKED
        } else if (vhost.queue(q.name()).isEmpty()) {
            throw Refusal.link(Condition.NOT_FOUND, "no queue '" + q.name() + "' in vhost '" + vhost.name() + "'");
        }
        return q.name();
    }

    /** The exchange must exist and take publishes. */
    static void exchange(Opened o, String exchange) {
        if (exchange.isEmpty()) {
            return;
        }
        ExchangeInfo x = o.vhost().exchange(exchange).orElseThrow(() -> Refusal.link(Condition.NOT_FOUND,
                "no exchange '" + exchange + "' in vhost '" + o.vhost().name() + "'"));
        if (x.spec().internal()) {
            throw Refusal.link(Condition.UNAUTHORIZED_ACCESS, "cannot publish to internal exchange '" + exchange
                    + "' in vhost '" + o.vhost().name() + "'");
        }
    }

    /**
     * A subscription's queue (v1 {@code /topic/:key}, {@code /exchange/:x/:key} as a source, a JMS topic): a
     * server-named queue of this connection, deleted with its link, bound to the exchange with the key. Every right
     * the link needs (configure and write on the queue, read on the exchange and the topic rules on the key, read
     * on the queue to consume it) is checked on the server-made name before the queue exists: a refused attach
     * leaves no queue behind, where one made first would stay, exclusive and never consumed, until the connection
     * closes. A bind the engine refuses after all (the vhost's binding limit, the exchange deleted meanwhile)
     * deletes the queue again.
     */
    static String subscription(Opened o, Address.Subscription s) {
        Vhost vhost = o.vhost();
        if (vhost.exchange(s.exchange()).isEmpty()) {
            throw Refusal.link(Condition.NOT_FOUND, "no exchange '" + s.exchange() + "' in vhost '"
                    + vhost.name() + "'");
        }
        String queue = temporaryQueue(o, true, name -> {
            o.access().bind(vhost, s.exchange(), s.key(), name);
            o.access().consume(name);
        });
        try {
            vhost.bind(Binding.toQueue(s.exchange(), queue, s.key(), Map.of()), o.conn());
        } catch (RuntimeException e) {
            discard(o, queue);
            throw e;
        }
        return queue;
    }

    /**
     * A queue for a dynamic terminus (a JMS temporary queue) or a subscription: server-named and exclusive to the
     * connection, so deleted when it closes; with {@code autoDelete} also when its last consumer goes. Configure
     * on the name and what {@code alsoNeeded} checks are asked before the queue is made.
     */
    static String temporaryQueue(Opened o, boolean autoDelete, Consumer<String> alsoNeeded) {
        return o.vhost().declareQueue(new QueueSpec("", false, true, autoDelete, Map.of()), o.conn(), false,
                name -> {
                    o.access().configureQueue(name);
                    alsoNeeded.accept(name);
                }).name();
    }

    /**
     * Deletes a queue an attach made for itself when the attach fails after all (a refusal only the engine knows
     * when binding, such as the vhost's binding limit, or a refused consumer). Only while unused: a durable or
     * shared subscription another link attached to meanwhile is theirs now. The deletion completes on the queue's
     * own time; one that fails leaves an exclusive queue to the connection's close.
     */
    static void discard(Opened o, String queue) {
        o.vhost().deleteQueue(queue, true, false, o.conn());
    }

    /**
     * Deletes a dynamic node whose link ended, consumers or not: its lifetime is the link's [AMQP 1.0 part 3
     * section 3.5.10, delete-on-close], and other links reading it (a JMS temporary queue's consumers) end with
     * {@code amqp:resource-deleted}.
     */
    static void deleteWithLink(Opened o, String queue) {
        o.vhost().deleteQueue(queue, false, false, o.conn());
    }
}
