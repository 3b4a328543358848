package dev.junction.amqp10;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.TerminusDurability;
import org.apache.qpid.proton.amqp.messaging.TerminusExpiryPolicy;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sender;

/**
 * JMS durable and shared subscriptions as Qpid JMS asks for them: a link on a topic address whose name is the
 * subscription's, with a durable source (durable subscriptions) or the {@code shared} capability (shared ones)
 * [AMQP JMS Mapping, subscriptions]. The subscription is a queue of its own, named after the client's container
 * id (its JMS client id) and the subscription name, or after the name alone for a {@code global} one (a shared
 * subscription of a connection without client id), bound to the topic's exchange with its key:
 * <ul>
 * <li>durable: a durable queue (kept by the store as any other), kept while no consumer is attached; an
 * unshared one takes one consumer at a time (an exclusive consumer: a second is refused with
 * {@code amqp:resource-locked}; in a cluster, where it is a quorum queue, by its log, on any node);</li>
 * <li>shared and not durable: a queue deleted with its last consumer;</li>
 * <li>attached again on another topic with no consumer active: the old subscription's messages are dropped and
 * it is bound to the new topic instead, as JMS 2 replaces such a subscription [JMS 2.0 section 8.3.2]; a move
 * the engine refuses leaves the subscription as it was, old binding and messages included;</li>
 * <li>{@code unsubscribe}: Qpid JMS attaches a link of the subscription's name without a source, and closes it
 * once the broker answered with the subscription's source; that close deletes the queue. No such subscription:
 * the attach is refused with {@code amqp:not-found}; a consumer still attached: {@code amqp:resource-locked}.</li>
 * </ul>
 * Qpid JMS appends {@code |2}, {@code |global}, {@code |volatile1} ... to the link names of further consumers of
 * a shared subscription: the subscription's name is what precedes the first {@code |}, which a JMS subscription
 * name may not contain with that client.
 */
final class NamedSubscription {
    static final String SHARED = "shared";
    private static final String GLOBAL = "global";
    private static final String PREFIX = "amqp10-sub.";
    private static final String GLOBAL_PREFIX = "amqp10-sub-global.";
    private static final Symbol TOPIC = Symbol.valueOf(Address.TOPIC_CAPABILITY);

    private final Opened o;
    private final String queue;
    /** The lookup answered with the subscription (it existed, unused). */
    private boolean found;

    private NamedSubscription(Opened o, String queue) {
        this.o = o;
        this.queue = queue;
    }

    /** Whether a consumer's source asks for a named subscription. */
    static boolean requested(Source remote, Set<String> capabilities) {
        return durable(remote) || capabilities.contains(SHARED);
    }

    private static boolean durable(Source source) {
        return source.getDurable() != null && source.getDurable() != TerminusDurability.NONE;
    }

    /**
     * The queue of the subscription a consumer's link names, declared and bound on its first attach; refused
     * unless the address is a topic or an exchange with a key. Permissions and the exchange are checked before
     * the queue is declared ({@link #permit}); a bind the engine refuses only once the queue exists (the vhost's
     * binding limit, the exchange deleted meanwhile) deletes the queue this attach declared, which is durable for a
     * durable subscription and would outlive the connection. A move (an existing subscription attached on another
     * topic) binds the new topic before it unbinds the old ones and purges the queue: the bind is the step the
     * engine may refuse, and a refused move must leave the subscription as it was rather than lose it (the price: a
     * move needs room for one more binding, and is refused at the vhost's binding limit). The queue comes back as
     * made by this attach when it was, so that a consumer refused later deletes it too.
     *
     * <p>Each step waits for the one before to take effect ({@link OnLoop}): in a cluster a durable subscription's
     * declaration, bind and unbinds each wait for the metadata log to commit them, so the attach, answered after the
     * last, names a subscription every node has (docs/cluster.md, "Linearizable declarations"); a shared volatile
     * one is its node's alone and is declared at once.
     */
    static CompletableFuture<LinkQueue> attach(Sender s, Opened o, Source remote, Address source,
                                               Set<String> capabilities) {
        if (!(source instanceof Address.Subscription sub)) {
            throw Refusal.link(Condition.NOT_IMPLEMENTED, "durable and shared subscriptions are on topics only, not '"
                    + remote.getAddress() + "'");
        }
        boolean durable = durable(remote);
        boolean shared = capabilities.contains(SHARED);
        String queue = queueName(s, capabilities);
        Vhost vhost = o.vhost();
        if (vhost.exchange(sub.exchange()).isEmpty()) {
            throw Refusal.link(Condition.NOT_FOUND, "no exchange '" + sub.exchange() + "' in vhost '"
                    + vhost.name() + "'");
        }
        QueueInfo existing = vhost.queue(queue).orElse(null);
        if (existing != null && existing.spec().durable() != durable) {
            throw Refusal.link(Condition.RESOURCE_LOCKED, "subscription '" + subscriptionName(s.getName())
                    + "' exists " + (durable ? "and is not durable" : "and is durable"));
        }
        Binding wanted = Binding.toQueue(sub.exchange(), queue, sub.key(), Map.of());
        List<Binding> bound = existing == null ? List.of()
                : vhost.bindingsTo(queue).stream().filter(b -> !b.source().isEmpty()).toList();
        boolean move = !bound.equals(List.of(wanted));
        if (move && existing != null && existing.consumerCount() > 0) {
            throw Refusal.link(Condition.RESOURCE_LOCKED, "subscription '" + subscriptionName(s.getName())
                    + "' is in use on another topic");
        }
        permit(o, vhost, queue, existing == null, move ? wanted : null, bound);
        // a durable subscription outlives its connections; a shared volatile one its last consumer. In a cluster a
        // durable one gets cluster.default_queue_type as any durable queue declared without a type: a quorum queue,
        // one queue for the subscription however many nodes its consumers and publishers use.
        CompletableFuture<?> declared = existing != null ? unused(o, s, existing, durable && !shared)
                : OnLoop.call(() -> vhost.declareQueueAsync(new QueueSpec(queue, durable, false, !durable, Map.of()),
                        null, o.conn(), false, name -> { }));
        CompletableFuture<Void> moved = OnLoop.then(o.conn(), declared, made -> move
                ? move(o, queue, wanted, bound) : CompletableFuture.completedFuture(null));
        return OnLoop.handle(o.conn(), moved, (done, refused) -> {
            if (refused != null) {
                if (existing == null && !declared.isCompletedExceptionally()) {
                    Terminus.discard(o, queue);
                }
                return CompletableFuture.failedFuture(refused);
            }
            return CompletableFuture.completedFuture(existing == null ? LinkQueue.made(queue)
                    : LinkQueue.independent(queue));
        });
    }

    /**
     * An unshared durable subscription's quorum queue (in a cluster, under the default queue type) with a consumer
     * attached on any node, counted by its log: refused early, before the subscription is moved or consumed. Not
     * atomic: two attaches counted at the same moment both pass this, and the consumer's exclusive attach, which the
     * log judges in its order as the engine judges a classic queue's, refuses the second ({@link #inUse}). Other
     * queues are left to the engine's exclusive consumer alone, as on a single node.
     */
    private static CompletableFuture<Void> unused(Opened o, Sender s, QueueInfo existing, boolean exclusive) {
        if (!exclusive || !existing.quorum()) {
            return CompletableFuture.completedFuture(null);
        }
        return OnLoop.then(o.conn(), OnLoop.call(() -> o.vhost().consumerCountAsync(existing.name())), n -> {
            if (n > 0) {
                throw Refusal.link(Condition.RESOURCE_LOCKED, "subscription '" + subscriptionName(s.getName())
                        + "' has an active consumer");
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Binds the subscription to its new topic, then unbinds the old ones one after the other and purges: each step
     * once the one before has taken effect, and none after a refusal.
     */
    private static CompletableFuture<Void> move(Opened o, String queue, Binding wanted, List<Binding> bound) {
        Vhost vhost = o.vhost();
        // the new binding first: a refusal (binding limit, memory alarm, exchange gone) changes nothing, and the
        // subscription keeps its old binding and messages
        CompletableFuture<Void> step = vhost.bindAsync(wanted, o.conn());
        for (Binding old : bound) {
            if (!old.equals(wanted)) {
                step = OnLoop.then(o.conn(), step, v -> vhost.unbindAsync(old, o.conn()));
            }
        }
        return OnLoop.then(o.conn(), step, v -> {
            if (!bound.isEmpty()) {
                // The old topic's messages go. The purge may also take what the new binding routed since the bind
                // above: those messages precede the new subscription as the client sees it, since the attach is
                // answered only after this, and the queue takes the purge before this attach's consumer.
                vhost.purgeQueue(queue, o.conn());
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Every permission the attach needs, checked before any of its steps changes anything: a refused attach must
     * not have declared a queue nor, when it moves a subscription another consumer left, have dropped its messages
     * (a user who may not read the subscription could otherwise empty it), whatever the order of the steps (a move
     * binds the new topic, then unbinds the old ones, then purges). Declaring needs configure on the queue;
     * binding it to the new topic ({@code rebind}) and unbinding the old topics ({@code unbind}) what 0-9-1's
     * queue.bind and queue.unbind need; purging and consuming read on the queue, as queue.purge and basic.consume.
     */
    private static void permit(Opened o, Vhost vhost, String queue, boolean declare, Binding rebind,
                               List<Binding> unbind) {
        if (declare) {
            o.access().configureQueue(queue);
        }
        o.access().consume(queue);
        if (rebind != null) {
            o.access().bind(vhost, rebind.source(), rebind.routingKey(), queue);
            for (Binding old : unbind) {
                o.access().bind(vhost, old.source(), old.routingKey(), queue);
            }
        }
    }

    /**
     * A link without a source (Qpid JMS's {@code unsubscribe}): answered with the subscription's source if it
     * exists and no consumer is attached; the link's close deletes it. Answered once this connection's own
     * consumers of the queue are cancelled ({@code ownCancels}): Qpid JMS closes a consumer and unsubscribes at once.
     * The consumers are then counted by {@link Vhost#consumerCountAsync}, which in a cluster asks a quorum queue's
     * log: this node's replica may still count a consumer whose cancel the log already answered.
     */
    static void lookup(Sender s, Opened o, Dispatcher dispatcher, CompletableFuture<Void> ownCancels) {
        String queue = queueName(s, Dispatcher.capabilities(s.getRemoteDesiredCapabilities()));
        NamedSubscription lookup = new NamedSubscription(o, queue);
        s.setContext(lookup);
        ownCancels.whenComplete((done, error) -> o.conn().onLoop(() -> {
            if (s.getContext() != lookup) {
                return; // the link ended meanwhile
            }
            OnLoop.handle(o.conn(), OnLoop.call(() -> o.vhost().consumerCountAsync(queue)), (consumers, failed) -> {
                if (s.getContext() != lookup) {
                    return CompletableFuture.completedFuture(null); // the link ended meanwhile
                }
                try {
                    lookup.answer(s, consumers, failed);
                } catch (RuntimeException refused) {
                    dispatcher.fail(s, refused);
                }
                return CompletableFuture.completedFuture(null);
            });
        }));
    }

    /**
     * The lookup's answer, once the subscription's consumers were counted ({@code failed}: they could not be, as by a
     * node cut off from the quorum queue's majority, which refuses the unsubscribe on the link).
     */
    private void answer(Sender s, Integer consumers, Throwable failed) {
        o.vhost().queue(queue).filter(info -> info.spec().durable()).orElseThrow(() -> Refusal.link(
                Condition.NOT_FOUND, "no durable subscription '" + subscriptionName(s.getName()) + "'"));
        if (failed != null) {
            throw failed instanceof BrokerException b ? Refusal.of(b) : Refusal.link(Condition.INTERNAL_ERROR,
                    "the consumers of subscription '" + subscriptionName(s.getName()) + "' could not be counted: "
                            + failed);
        }
        if (consumers > 0) {
            throw Refusal.link(Condition.RESOURCE_LOCKED, "subscription '" + subscriptionName(s.getName())
                    + "' has an active consumer");
        }
        o.access().configureQueue(queue);
        Source source = new Source();
        source.setAddress(o.vhost().bindingsTo(queue).stream().filter(b -> !b.source().isEmpty()).findFirst()
                .map(b -> "/exchange/" + b.source() + "/" + b.routingKey()).orElse(null));
        source.setDurable(TerminusDurability.UNSETTLED_STATE);
        source.setExpiryPolicy(TerminusExpiryPolicy.NEVER);
        source.setCapabilities(TOPIC);
        s.setSource(source);
        s.setTarget(s.getRemoteTarget());
        s.open();
        found = true;
    }

    /**
     * The lookup link was closed (not only detached): the subscription it found is deleted, unless in use. The
     * permission is asked again first, as 0-9-1's queue.delete asks it: the lookup's answer may be a while ago, and
     * a permission revoked meanwhile applies to the delete (a refusal detaches the link with its condition). The
     * close is answered once the deletion has taken effect, in a cluster once the metadata log committed it; a
     * deletion refused then (a node without a majority) ends the link with the refusal's condition.
     */
    void closed(Link link, Dispatcher dispatcher) {
        CompletableFuture<?> deleted;
        try {
            deleted = gone();
        } catch (RuntimeException refused) {
            dispatcher.fail(link, refused);
            return;
        }
        deleted.whenComplete((n, e) -> o.conn().onLoop(() -> {
            if (e != null) {
                dispatcher.fail(link, e);
            } else if (link.getLocalState() != EndpointState.CLOSED) {
                link.close();
            }
        }));
    }

    /** Deletes the subscription the lookup found; done at once when it found none. */
    private CompletableFuture<?> gone() {
        if (!found) {
            return CompletableFuture.completedFuture(null);
        }
        o.access().configureQueue(queue);
        return o.vhost().deleteQueueAsync(queue, true, false, o.conn());
    }

    /**
     * The engine refused an unshared durable subscription's exclusive consumer: another is attached, which JMS
     * calls a subscription in use, not a permission.
     */
    static Throwable inUse(Link link, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof BrokerException b && b.kind() == ErrorKind.ACCESS_REFUSED) {
            return Refusal.link(Condition.RESOURCE_LOCKED, "subscription '" + subscriptionName(link.getName())
                    + "' has an active consumer");
        }
        return error;
    }

    private static String queueName(Link link, Set<String> capabilities) {
        String name = subscriptionName(link.getName());
        String suffix = link.getName().substring(name.length());
        if (capabilities.contains(GLOBAL) || suffix.startsWith("|" + GLOBAL)) {
            return GLOBAL_PREFIX + name;
        }
        return PREFIX + link.getSession().getConnection().getRemoteContainer() + "." + name;
    }

    private static String subscriptionName(String linkName) {
        int bar = linkName.indexOf('|');
        return bar < 0 ? linkName : linkName.substring(0, bar);
    }
}
