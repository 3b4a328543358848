package dev.junction.amqp10;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The engine's side of an {@link Address}: the queues an attach declares or must find, and the exchanges it must
 * find, with the permission each step needs (see {@link Access}). Engine refusals come out as
 * {@code BrokerException}s, which the dispatcher translates; a missing queue or exchange is {@code amqp:not-found}
 * on the link. What an attach declares, binds or deletes goes through the engine's asynchronous calls, whose futures
 * complete once the change has taken effect (at once on a single node, after the metadata log's commit in a
 * cluster for what is replicated); refusals the engine can tell at once are thrown, as before.
 */
final class Terminus {
    private Terminus() {
    }

    /**
     * The queue an address names: declared durable when {@code declare} and missing, else it must exist
     * ({@link #existing}). The declaration completes when it has taken effect (in a cluster, once the metadata log
     * committed it, so that every node has the queue when the attach is answered); a queue this node has already
     * is read from this node's state, as a publish reads it, without waiting.
     */
    static CompletableFuture<String> queue(Opened o, Address.Queue q, boolean consumer) {
        Vhost vhost = o.vhost();
        if (q.declare() && vhost.queue(q.name()).isEmpty()) {
            o.access().configureQueue(q.name());
            return vhost.declareQueueAsync(QueueSpec.durable(q.name()), null, o.conn(), false, name -> { })
                    .thenApply(QueueInfo::name);
        }
        existing(o, q, consumer);
        return CompletableFuture.completedFuture(q.name());
    }

    /**
     * A queue that must exist. A consumer's source is checked as a passive declare is, so another connection's
     * exclusive queue is {@code amqp:resource-locked}; a publisher's target only needs the queue to exist, as
     * publishing to an exclusive queue through the default exchange does in 0-9-1 (a JMS temporary queue, answered
     * by another connection).
     */
    static void existing(Opened o, Address.Queue q, boolean consumer) {
        Vhost vhost = o.vhost();
        if (consumer) {
            vhost.declareQueue(QueueSpec.durable(q.name()), o.conn(), true); // NOT_FOUND, RESOURCE_LOCKED
        } else if (vhost.queue(q.name()).isEmpty()) {
            throw Refusal.link(Condition.NOT_FOUND, "no queue '" + q.name() + "' in vhost '" + vhost.name() + "'");
        }
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
    static CompletableFuture<String> subscription(Opened o, Address.Subscription s) {
        Vhost vhost = o.vhost();
        if (vhost.exchange(s.exchange()).isEmpty()) {
            throw Refusal.link(Condition.NOT_FOUND, "no exchange '" + s.exchange() + "' in vhost '"
                    + vhost.name() + "'");
        }
        CompletableFuture<String> made = temporaryQueue(o, true, name -> {
            o.access().bind(vhost, s.exchange(), s.key(), name);
            o.access().consume(name);
        });
        return OnLoop.then(o.conn(), made, queue -> OnLoop.handle(o.conn(), OnLoop.call(() -> vhost.bindAsync(
                Binding.toQueue(s.exchange(), queue, s.key(), Map.of()), o.conn())), (bound, refused) -> {
                    if (refused != null) {
                        discard(o, queue);
                        return CompletableFuture.failedFuture(refused);
                    }
                    return CompletableFuture.completedFuture(queue);
                }));
    }

    /**
     * A queue for a dynamic terminus (a JMS temporary queue) or a subscription: server-named and exclusive to the
     * connection, so deleted when it closes; with {@code autoDelete} also when its last consumer goes. Configure
     * on the name and what {@code alsoNeeded} checks are asked before the queue is made.
     */
    static CompletableFuture<String> temporaryQueue(Opened o, boolean autoDelete, Consumer<String> alsoNeeded) {
        return o.vhost().declareQueueAsync(new QueueSpec("", false, true, autoDelete, Map.of()), null, o.conn(),
                false, name -> {
                    o.access().configureQueue(name);
                    alsoNeeded.accept(name);
                }).thenApply(QueueInfo::name);
    }

    /**
     * Deletes a queue an attach made for itself when the attach fails after all (a refusal only the engine knows
     * when binding, such as the vhost's binding limit, or a refused consumer). Only while unused: a durable or
     * shared subscription another link attached to meanwhile is theirs now. The deletion completes on the queue's
     * own time (in a cluster, a durable subscription's once the metadata log committed the deletion); one that
     * fails leaves an exclusive queue to the connection's close, and a durable one to be unsubscribed.
     */
    static void discard(Opened o, String queue) {
        try {
            o.vhost().deleteQueueAsync(queue, true, false, o.conn()).exceptionally(e -> left(queue, e));
        } catch (RuntimeException e) {
            left(queue, e);
        }
    }

    private static Integer left(String queue, Throwable why) {
        Amqp10Connection.LOG.debug("queue '{}' of a refused attach is left: {}", queue, String.valueOf(why));
        return 0;
    }

    /**
     * Deletes a dynamic node whose link ended, consumers or not: its lifetime is the link's [AMQP 1.0 part 3
     * section 3.5.10, delete-on-close], and other links reading it (a JMS temporary queue's consumers) end with
     * {@code amqp:resource-deleted}.
     */
    static void deleteWithLink(Opened o, String queue) {
        o.vhost().deleteQueueAsync(queue, false, false, o.conn());
    }
}
