package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.ServerQueueName;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The declarations of one vhost on a cluster node, made linearizable by the metadata log (docs/cluster.md,
 * "Linearizable declarations"). A change of a replicated definition (an exchange other than the default and the
 * {@code amq.*} ones, durable or not: see {@link ReplicatedExchange}; a durable queue that is not exclusive; a
 * binding between such objects) is checked here, then {@link DefinitionLog#commit committed},
 * and takes effect on every node, this one included, only when the node's state machine applies the entry; the
 * future completes with this node's result of that apply, which is what the client is answered. So every node
 * makes the same change at the same point of one order, and a client answered by one node finds it on any other.
 *
 * <p>A request that changes nothing here (a passive declare, a redeclaration of what exists, a deletion of what
 * does not) first waits for {@link DefinitionLog#readBarrier}: this node has then applied everything any node
 * answered before the request came, and what it answers from its own state is as current as the log.
 *
 * <p>Transient and exclusive queues, and bindings into them, are this node's alone and are declared at once, as on
 * a single node. The checks that can be made before the log (permissions on the final name, reserved names,
 * arguments, the memory alarm, limits, a node without a leader) are made here, on the caller's thread, so that a
 * refusal costs no log entry and reaches the client as it would on a single node; the apply makes them again on
 * every node.
 *
 * <p>Why a future and not the synchronous {@link VirtualHost} methods: adapters call declarations on their
 * event loop, which must not wait for a log round trip; the engine API's asynchronous declarations hand the
 * adapter this future, and the adapter answers when it completes. Without a cluster those methods answer at
 * once with the synchronous call's result and this class is not used.
 */
public final class CommittedDeclarations {

    private final RoutingEngine engine;
    private final VirtualHost vhost;
    private final DefinitionLog log;

    private CommittedDeclarations(RoutingEngine engine, VirtualHost vhost, DefinitionLog log) {
        this.engine = engine;
        this.vhost = vhost;
        this.log = log;
    }

    /** The vhost's declarations through the engine's metadata log; null when the engine has none. */
    public static CommittedDeclarations of(RoutingEngine engine, VirtualHost vhost) {
        DefinitionLog log = engine.definitionLog();
        return log == null ? null : new CommittedDeclarations(engine, vhost, log);
    }

    /** Runs {@code read} once this node has applied everything committed before now. */
    public <T> CompletableFuture<T> afterBarrier(Supplier<T> read) {
        return log.readBarrier().thenApply(ignored -> read.get());
    }

    // ---- exchanges ----------------------------------------------------------------------------------------------

    public CompletableFuture<Exchange> declareExchange(ExchangeSpec spec) {
        return declareExchange(spec, false);
    }

    private CompletableFuture<Exchange> declareExchange(ExchangeSpec spec, boolean read) {
        Exchange existing = vhost.exchangeOrNull(spec.name());
        if (!ReplicatedExchange.inCluster(spec) || spec.name().isEmpty() || (existing != null && read)) {
            return now(() -> vhost.declareExchange(spec, false));
        }
        if (existing != null) {
            return log.readBarrier().thenCompose(ignored -> declareExchange(spec, true));
        }
        ExchangeType.fromWireName(spec.type()).orElseThrow(() ->
                new BrokerException(ErrorKind.COMMAND_INVALID, "unknown exchange type '" + spec.type() + "'"));
        if (spec.name().startsWith("amq.")) {
            throw BrokerException.accessRefused("exchange name '" + spec.name() + "' contains reserved prefix 'amq.*'");
        }
        vhost.guard().checkMemory("exchange '" + spec.name() + "'");
        refuseChange("declare exchange '" + spec.name() + "'");
        engine.requireWritableStore("exchange '" + spec.name() + "'");
        return log.commit(DefinitionCodec.exchange(vhost.name(), spec), false).thenApply(Exchange.class::cast);
    }

    /** exchange.delete of a replicated exchange through the log; {@code ifUnused} is judged on this node's bindings. */
    public CompletableFuture<Void> deleteExchange(String name, boolean ifUnused) {
        return deleteExchange(name, ifUnused, false);
    }

    private CompletableFuture<Void> deleteExchange(String name, boolean ifUnused, boolean read) {
        Exchange x = vhost.exchangeOrNull(name);
        if (name.isEmpty() || name.startsWith("amq.") || (x == null && read)
                || (x != null && !ReplicatedExchange.inCluster(x))) {
            return now(() -> {
                vhost.deleteExchange(name, ifUnused);
                return null;
            });
        }
        if (x == null) {
            return log.readBarrier().thenCompose(ignored -> deleteExchange(name, ifUnused, true));
        }
        if (ifUnused && x.hasBindings()) {
            throw BrokerException.preconditionFailed("exchange '" + name + "' in vhost '" + vhost.name() + "' in use");
        }
        refuseChange("delete exchange '" + name + "'");
        return log.commit(key(DefinitionKind.EXCHANGE, name), true).thenApply(ignored -> null);
    }

    // ---- queues -------------------------------------------------------------------------------------------------

    /**
     * A non-passive queue.declare; {@code serverName} names a queue declared without a name (null: a new name).
     * {@code beforeCreate} runs here, on the caller's thread, before a new queue is committed.
     */
    public CompletableFuture<Queue> declareQueue(QueueSpec spec, ServerQueueName serverName, Object owner,
                                                 Consumer<String> beforeCreate) {
        String queueName = spec.name().isEmpty() ? GeneratedNames.queue(serverName) : spec.name();
        if (!spec.durable() || spec.exclusive()) {
            return now(() -> vhost.declareQueue(spec, serverName, owner, false, beforeCreate));
        }
        QueueSpec named = spec.withName(queueName);
        String what = "queue '" + queueName + "' in vhost '" + vhost.name() + "'";
        if (vhost.queue(queueName).isPresent()) {
            // Nothing new to check on this thread: a queue that went meanwhile is committed without beforeCreate,
            // which only a server-named queue (never found here) needs beyond the caller's own checks.
            return log.readBarrier().thenCompose(ignored -> vhost.queue(queueName).map(q -> now(() -> vhost
                            .declareQueue(DefaultQueueType.asExisting(named, q.spec()), owner, false)))
                    .orElseGet(() -> commitQueue(log.defaultQueueType().forNew(named, what))));
        }
        if (queueName.startsWith("amq.") && !spec.name().isEmpty()) {
            throw BrokerException.accessRefused("queue name '" + queueName + "' contains reserved prefix 'amq.*'");
        }
        QueueSpec typed = log.defaultQueueType().forNew(named, what); // 406 when a quorum default cannot be
        QueueArguments.parse(typed.arguments(), what);
        beforeCreate.accept(queueName);
        return commitQueue(typed);
    }

    private CompletableFuture<Queue> commitQueue(QueueSpec named) {
        vhost.guard().checkMemory("queue '" + named.name() + "'");
        vhost.guard().checkQueueCount(named.name(), vhost.queues().size());
        refuseChange("declare durable queue '" + named.name() + "'");
        engine.requireWritableStore("queue '" + named.name() + "' in vhost '" + vhost.name() + "'");
        return log.commit(DefinitionCodec.queue(vhost.name(), named), false).thenApply(Queue.class::cast);
    }

    /**
     * queue.delete of a durable queue through the log. {@code ifUnused} and {@code ifEmpty} are judged on this
     * node's copy (a classic queue's consumers and messages are its node's); completes with the number of ready
     * messages this node's copy held.
     */
    public CompletableFuture<Integer> deleteQueue(String name, boolean ifUnused, boolean ifEmpty, Object owner) {
        return deleteQueue(name, ifUnused, ifEmpty, owner, false);
    }

    private CompletableFuture<Integer> deleteQueue(String name, boolean ifUnused, boolean ifEmpty, Object owner,
                                                   boolean read) {
        Queue q = vhost.queue(name).orElse(null);
        if ((q == null && read) || (q != null && !replicated(q))) {
            return vhost.deleteQueue(name, ifUnused, ifEmpty, owner);
        }
        if (q == null) {
            return log.readBarrier().thenCompose(ignored -> deleteQueue(name, ifUnused, ifEmpty, owner, true));
        }
        vhost.usableQueue(name, owner);
        var quorum = engine.quorum().replicated(q);
        if (quorum.isPresent()) {
            // A replicated quorum queue's consumers and messages are in its own log, judged there, not by this
            // node's replica, which may be behind it.
            return quorum.get().deletable(ifUnused, ifEmpty).thenCompose(allowed -> commitDelete(name));
        }
        String what = "queue '" + name + "' in vhost '" + vhost.name() + "'";
        if (ifUnused && q.consumerCount() > 0) {
            throw BrokerException.preconditionFailed(what + " in use");
        }
        if (ifEmpty && q.messageCount() > 0) {
            throw BrokerException.preconditionFailed(what + " is not empty");
        }
        return commitDelete(name);
    }

    private CompletableFuture<Integer> commitDelete(String name) {
        refuseChange("delete durable queue '" + name + "'");
        return log.commit(key(DefinitionKind.QUEUE, name), true).thenCompose(deleted -> deleted == null
                ? CompletableFuture.completedFuture(0) : castCount(deleted));
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Integer> castCount(Object deleted) {
        return (CompletableFuture<Integer>) deleted;
    }

    // ---- bindings -----------------------------------------------------------------------------------------------

    public CompletableFuture<Void> bind(Binding b, Object owner) {
        return bind(b, owner, false);
    }

    private CompletableFuture<Void> bind(Binding b, Object owner, boolean read) {
        Exchange source = vhost.exchangeOrNull(b.source());
        if (source == null || b.source().isEmpty() || !persisted(source, b, owner)
                || (read && source.hasBinding(b))) {
            return now(() -> {
                vhost.bind(b, owner);
                return null;
            });
        }
        if (source.hasBinding(b)) {
            return log.readBarrier().thenCompose(ignored -> bind(b, owner, true));
        }
        vhost.guard().checkMemory("binding from '" + b.source() + "' to '" + b.destination() + "'");
        refuseChange("declare a binding of exchange '" + b.source() + "'");
        engine.requireWritableStore("a binding of exchange '" + b.source() + "'");
        return log.commit(DefinitionCodec.binding(vhost.name(), b), false).thenApply(ignored -> null);
    }

    public CompletableFuture<Void> unbind(Binding b, Object owner) {
        return unbind(b, owner, false);
    }

    private CompletableFuture<Void> unbind(Binding b, Object owner, boolean read) {
        Exchange source = vhost.exchangeOrNull(b.source());
        boolean bound = source != null && source.hasBinding(b);
        if (b.source().isEmpty() || (!bound && read) || (bound && !persisted(source, b, owner))) {
            return now(() -> {
                vhost.unbind(b, owner);
                return null;
            });
        }
        if (!bound) {
            return log.readBarrier().thenCompose(ignored -> unbind(b, owner, true));
        }
        refuseChange("unbind from exchange '" + b.source() + "'");
        return log.commit(key(DefinitionKind.BINDING, DefinitionCodec.bindingName(b)), true)
                .thenApply(ignored -> null);
    }

    /**
     * Whether the binding is kept as a definition, as {@link BindingTable} decides: from a replicated exchange to a
     * replicated exchange or a durable queue that is not exclusive (checking that {@code owner} may use it). A
     * stream stays on its node's own path.
     */
    private boolean persisted(Exchange source, Binding b, Object owner) {
        if (!ReplicatedExchange.inCluster(source)) {
            return false;
        }
        if (!b.toQueue()) {
            Exchange destination = vhost.exchangeOrNull(b.destination());
            return destination != null && ReplicatedExchange.inCluster(destination);
        }
        if (vhost.streams().get(b.destination()) != null || vhost.queue(b.destination()).isEmpty()) {
            return false;
        }
        return replicated(vhost.usableQueue(b.destination(), owner));
    }

    private static boolean replicated(Queue q) {
        return q.durable() && !q.spec().exclusive();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /**
     * Refuses a change while the node knows no leader, in the words the engine refuses a durable declaration with
     * when its store cannot take it (AMQP 541, which closes the connection): a deletion as a declaration.
     */
    private void refuseChange(String what) {
        log.refusal().ifPresent(why -> {
            throw new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot " + what + " in vhost '" + vhost.name()
                    + "': " + why);
        });
    }

    private Definition key(DefinitionKind kind, String name) {
        return new Definition(kind, vhost.name(), name, new byte[0]);
    }

    /**
     * A change made at once on this node, as on a single node. On the caller's thread a refusal is thrown, as the
     * synchronous method throws it (an adapter's permission check may stop the call to ask an auth service); after
     * a barrier it fails the composed future.
     */
    private static <T> CompletableFuture<T> now(Supplier<T> change) {
        return CompletableFuture.completedFuture(change.get());
    }
}
