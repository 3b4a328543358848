package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Binding.DestinationKind;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.DefinitionKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A virtual host: its own exchanges, queues and bindings. Declarations, deletions and binding changes take the
 * vhost's lock (they are rare and must be atomic with respect to each other); publishing reads the concurrent
 * maps and exchange structures without locking and hands messages to queue mailboxes.
 *
 * <p>This class checks what every request must (the default exchange, exclusive ownership) and holds the lock; the
 * parts it holds it for are the {@link ExchangeTable}, the {@link BindingTable} (which indexes bindings by
 * destination, so deleting a queue costs O(its own bindings)) and the queue map here. Its queues see it through a
 * {@link VhostQueueHost}.
 */
public final class VirtualHost {
    private static final String DEFAULT_EXCHANGE_TEXT = "operation not permitted on the default exchange";

    private final String name;
    private final RoutingEngine engine;
    final EngineMetrics metrics; // read by RoutingEngine#stats
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** The vhost's bindings by destination, and their count. Changed under {@link #lock}. */
    private final BindingTable bindings;
    /** Changed under {@link #lock}. */
    private final ExchangeTable exchanges;
    /** The exclusive queues by owning connection. Changed under {@link #lock}, with {@link #queues}. */
    private final ExclusiveQueues exclusive = new ExclusiveQueues();
    private final Router router;
    /** What the vhost's queues see of it and of the engine. */
    private final VhostQueueHost queueHost;
    private final VhostPublishing publishing;
    /** Changed under {@link #lock}; matched to each queue and exchange when it is created. */
    private final VhostPolicies policies;
    private final DeclarationGuard guard;
    private final VhostStreams streams;

    VirtualHost(String name, RoutingEngine engine) {
        this.name = name;
        this.engine = engine;
        this.guard = new DeclarationGuard(name, engine);
        this.metrics = new EngineMetrics(engine.registry(), name, engine.store(), queues.values(), engine::perQueueMetrics);
        this.policies = new VhostPolicies(this, engine, lock); // before the built-in exchanges, which it matches
        this.bindings = new BindingTable(this, engine);
        this.exchanges = new ExchangeTable(this, engine, bindings);
        this.router = new Router(exchanges::get, this::target, key -> publishing().replyRelay(key));
        this.queueHost = new VhostQueueHost(this, engine, metrics, router);
        this.publishing = new VhostPublishing(this, engine, metrics, router);
        this.streams = new VhostStreams(this, engine, lock, queueHost, bindings, queues);
    }

    /** The memory alarm and limit checks every new declaration passes. */
    DeclarationGuard guard() {
        return guard;
    }

    /** Bindings in this vhost now. */
    public int bindingCount() {
        synchronized (lock) {
            return bindings.count();
        }
    }

    /** The bindings into a queue ({@code toQueue}) or an exchange: a copy, O(those bindings), not O(all of them). */
    public List<Binding> bindingsTo(boolean toQueue, String destination) {
        synchronized (lock) {
            return bindings.into(toQueue ? DestinationKind.QUEUE : DestinationKind.EXCHANGE, destination);
        }
    }

    public String name() {
        return name;
    }

    public VhostPolicies policies() {
        return policies;
    }

    // ---- exchanges ----------------------------------------------------------------------------------------------

    public Optional<Exchange> exchange(String exchangeName) {
        return Optional.ofNullable(exchanges.get(exchangeName));
    }

    public Collection<Exchange> exchanges() {
        return exchanges.all();
    }

    /** exchange.declare: creates the exchange, or checks an existing one is equivalent; passive: that it exists. */
    public Exchange declareExchange(ExchangeSpec spec, boolean passive) {
        if (spec.name().isEmpty()) {
            throw BrokerException.accessRefused(DEFAULT_EXCHANGE_TEXT);
        }
        synchronized (lock) {
            return exchanges.declare(spec, passive);
        }
    }

    /** exchange.delete; deleting a missing exchange succeeds, as in RabbitMQ. */
    public void deleteExchange(String exchangeName, boolean ifUnused) {
        if (exchangeName.isEmpty() || exchangeName.startsWith("amq.")) {
            throw BrokerException.accessRefused(exchangeName.isEmpty() ? DEFAULT_EXCHANGE_TEXT
                    : "exchange '" + exchangeName + "' in vhost '" + name + "' is built in and cannot be deleted");
        }
        synchronized (lock) {
            exchanges.delete(exchangeName, ifUnused);
        }
    }

    // ---- queues -------------------------------------------------------------------------------------------------

    public Optional<Queue> queue(String queueName) {
        return Optional.ofNullable(queues.get(queueName));
    }

    public Collection<Queue> queues() {
        return List.copyOf(queues.values());
    }

    /** The vhost's streams, which share the queues' names; {@link #target} routes to both. */
    public VhostStreams streams() {
        return streams;
    }

    private QueueTarget target(String queueName) {
        Queue q = queues.get(queueName);
        // A quorum queue's log; never this node's relay, which the other nodes fill (VhostPublishing).
        return q == null ? streams.get(queueName) : publishing.skips(queueName) ? null : engine.quorum().target(q);
    }

    /**
     * queue.declare. An empty name gets a server-generated one. {@code owner} is the declaring connection; an
     * exclusive queue belongs to it and is refused to others with RESOURCE_LOCKED.
     */
    public Queue declareQueue(QueueSpec spec, Object owner, boolean passive) {
        return declareQueue(spec, null, owner, passive, name -> { });
    }

    /**
     * queue.declare with a check that runs on the final name before a new queue is created, for adapters' permission
     * checks on names they cannot know in advance; an empty name gets {@code serverName} (null: a new one).
     */
    public Queue declareQueue(QueueSpec spec, dev.junction.routing.api.ServerQueueName serverName, Object owner,
                              boolean passive, java.util.function.Consumer<String> beforeCreate) {
        synchronized (lock) {
            if (passive) {
                Queue q = usableQueue(spec.name(), owner);
                q.touch();
                return q;
            }
            String queueName = spec.name().isEmpty() ? GeneratedNames.queue(serverName) : spec.name();
            Queue existing = queues.get(queueName);
            String what = "queue '" + queueName + "' in vhost '" + name + "'";
            if (existing != null) {
                // Strictly, before equivalence, as RabbitMQ: the declaring connection must be the owner when it asks
                // for an exclusive queue and there must be no owner when it does not, else 405 RESOURCE_LOCKED.
                if (existing.exclusiveOwner() != (spec.exclusive() ? owner : null)) {
                    throw locked(existing);
                }
                Equivalence.queue(what, existing.spec(), spec);
                existing.touch();
                engine.quorum().redeclared(existing);
                return existing;
            }
            if (queueName.startsWith("amq.") && !spec.name().isEmpty()) {
                throw BrokerException.accessRefused("queue name '" + queueName + "' contains reserved prefix 'amq.*'");
            }
            QueueArguments args = dev.junction.routing.quorum.QuorumArguments.parse(spec, what); // quorum: 406s
            beforeCreate.accept(queueName);
            guard.checkMemory("queue '" + queueName + "'");
            guard.checkQueueCount(queueName, queues.size());
            if (spec.durable() && !spec.exclusive()) {
                engine.requireWritableStore(what);
            }
            QueueSpec named = spec.withName(queueName);
            Queue q = addQueue(named, args, spec.exclusive() ? owner : null);
            if (named.durable() && !named.exclusive()) {
                engine.store().definitions().put(DefinitionCodec.queue(name, named));
            }
            return q;
        }
    }

    private Queue addQueue(QueueSpec spec, QueueArguments args, Object owner) {
        Queue q = new Queue(queueHost, spec, args, owner);
        policies.applyTo(q);
        queues.put(spec.name(), q);
        exclusive.added(q);
        metrics.queueAdded(q);
        return q;
    }

    /** The named queue, checked to exist and to be usable by {@code owner}. */
    public Queue usableQueue(String queueName, Object owner) {
        Queue q = queues.get(queueName);
        if (q == null) {
            throw BrokerException.notFound("no queue '" + queueName + "' in vhost '" + name + "'");
        }
        checkOwner(q, owner);
        return q;
    }

    private void checkOwner(Queue q, Object owner) {
        if (q.exclusiveOwner() != null && q.exclusiveOwner() != owner) {
            throw locked(q);
        }
    }

    private BrokerException locked(Queue q) {
        return BrokerException.resourceLocked("cannot obtain exclusive access to locked queue '" + q.name()
                + "' in vhost '" + name + "'. It could be originally declared on another connection or the "
                + "exclusive property value does not match that of the original declaration.");
    }

    /** queue.delete; completes with the number of ready messages deleted. A missing queue deletes nothing. */
    public CompletableFuture<Integer> deleteQueue(String queueName, boolean ifUnused, boolean ifEmpty, Object owner) {
        Queue q;
        synchronized (lock) {
            q = queues.get(queueName);
            if (q == null) {
                return CompletableFuture.completedFuture(0);
            }
            checkOwner(q, owner);
            if (!ifUnused && !ifEmpty) {
                unlinkQueue(q);
                return q.delete(false, false);
            }
        }
        // The conditions are the queue's to judge; it is unlinked once it has agreed to go.
        return q.delete(ifUnused, ifEmpty).thenApply(n -> {
            synchronized (lock) {
                unlinkQueue(q);
            }
            return n;
        });
    }

    public CompletableFuture<Integer> purgeQueue(String queueName, Object owner) {
        return usableQueue(queueName, owner).purge();
    }

    /** Removes the queue and the bindings into it, under {@link #lock}: O(the queue's own bindings). */
    private void unlinkQueue(Queue q) {
        if (queues.remove(q.name(), q)) {
            q.unlinked();
            exclusive.removed(q);
            bindings.removeAllInto(DestinationKind.QUEUE, q.name());
            metrics.queueRemoved(q);
            if (q.durable()) {
                engine.store().definitions().delete(DefinitionKind.QUEUE, name, q.name());
                // Now, while the name is still taken, not later from the queue's mailbox: a queue declared again
                // under the same name shares the store key, and a late removal would drop its messages.
                engine.store().removeQueue(q.key());
            }
        }
    }

    /** The connection {@code owner} closed: its exclusive queues go with it, found in O(their number). */
    public void ownerClosed(Object owner) {
        List<Queue> owned;
        synchronized (lock) {
            owned = exclusive.release(owner);
            owned.forEach(this::unlinkQueue);
        }
        owned.forEach(q -> q.delete(false, false));
    }

    // ---- bindings -----------------------------------------------------------------------------------------------

    /** queue.bind and exchange.bind. A repeated binding is a no-op. */
    public void bind(Binding b, Object owner) {
        refuseDefaultExchange(b);
        RelayedNames.refuseBind(b);
        synchronized (lock) {
            bindings.bind(b, owner);
        }
    }

    /**
     * queue.unbind and exchange.unbind. Removing a binding that does not exist succeeds, even when its source or
     * destination does not exist either, as in RabbitMQ 3.x (unbind-ok); a queue exclusive to another connection
     * is still refused.
     */
    public void unbind(Binding b, Object owner) {
        refuseDefaultExchange(b);
        synchronized (lock) {
            bindings.unbind(b, owner);
        }
    }

    /** The default exchange's bindings are implicit: binding from or to it by hand is refused. */
    private static void refuseDefaultExchange(Binding b) {
        if (b.source().isEmpty() || (!b.toQueue() && b.destination().isEmpty())) {
            throw BrokerException.accessRefused(DEFAULT_EXCHANGE_TEXT);
        }
    }

    /** An auto-delete exchange goes when its last binding (as a source) goes. Under {@link #lock}. */
    void autoDeleteIfUnbound(Exchange x) {
        exchanges.autoDeleteIfUnbound(x);
    }

    /** The named exchange, or null. */
    Exchange exchangeOrNull(String exchangeName) {
        return exchanges.get(exchangeName);
    }

    Exchange existingExchange(String exchangeName) {
        return exchanges.existing(exchangeName);
    }

    // ---- publishing ---------------------------------------------------------------------------------------------

    /** Routes and enqueues a message; see {@link VhostPublishing#publish}. */
    public PublishResult publish(Message message, boolean confirm) {
        return publishing.publish(message, confirm);
    }

    /** The publish path, with a cluster node's relay ({@link VhostPublishing}). */
    public VhostPublishing publishing() {
        return publishing;
    }

    /** The queues a publish of {@code message} would reach, without enqueuing it (routing dry run). */
    public List<String> route(Message message) {
        return publishing.route(message);
    }

    /**
     * Dead-letters an annotated message as this vhost's queues do (a missing exchange drops it, no cycles), for
     * queues the engine does not run itself (a cluster's replicated quorum queues), which must not see it throw.
     */
    public void deadLetter(Message message, String exchangeName, String reason) {
        queueHost.deadLetter(message, exchangeName, reason);
    }

    /** As {@link #deadLetter}, with publisher confirms: true once every target took it (at-least-once). */
    public CompletableFuture<Boolean> deadLetterConfirmed(Message message, String exchangeName, String reason) {
        return queueHost.deadLetterConfirmed(message, exchangeName, reason);
    }

    /** Unlinks and deletes a queue that its own rules retire (auto-delete, x-expires); see {@link VhostQueueHost}. */
    void retire(Queue q) {
        synchronized (lock) {
            if (queues.get(q.name()) != q) {
                return;
            }
            unlinkQueue(q);
        }
        q.delete(false, false);
    }

    // ---- recovery -----------------------------------------------------------------------------------------------

    void recoverExchange(ExchangeSpec spec) {
        synchronized (lock) {
            exchanges.recover(spec);
        }
    }

    Queue recoverQueue(QueueSpec spec) {
        if (streams.recover(spec)) {
            return null;
        }
        synchronized (lock) {
            String what = "queue '" + spec.name() + "' in vhost '" + name + "'";
            return queues.computeIfAbsent(spec.name(), n -> {
                Queue q = new Queue(queueHost, spec, QueueArguments.parse(spec.arguments(), what), null);
                policies.applyTo(q);
                metrics.queueAdded(q);
                return q;
            });
        }
    }

    void recoverBinding(Binding b) {
        synchronized (lock) {
            bindings.recover(b);
        }
    }
}
