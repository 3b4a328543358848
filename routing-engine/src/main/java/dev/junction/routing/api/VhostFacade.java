package dev.junction.routing.api;

import dev.junction.routing.CommittedDeclarations;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.quorum.QuorumDeclareCounts;
import dev.junction.routing.quorum.QuorumQueues;
import dev.junction.routing.quorum.QuorumUsage;
import dev.junction.routing.quorum.ReplicatedQuorumQueue;
import dev.junction.routing.stream.Stream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@link Vhost} over the engine's {@link VirtualHost}: every call delegates; nothing is cached here. On a cluster
 * node the asynchronous declarations go through {@link CommittedDeclarations}.
 */
final class VhostFacade implements Vhost {
    private final RoutingEngine engine;
    private final VirtualHost vhost;
    /** A quorum queue in a cluster is reached through its replicated side (routing.quorum). */
    private final QuorumQueues quorum;

    VhostFacade(RoutingEngine engine, VirtualHost vhost, QuorumQueues quorum) {
        this.engine = engine;
        this.vhost = vhost;
        this.quorum = quorum;
    }

    private Optional<ReplicatedQuorumQueue> replicated(String queue) {
        return vhost.queue(queue).flatMap(quorum::replicated);
    }

    private static ExchangeInfo info(Exchange x) {
        return x.info();
    }

    private QueueInfo info(Queue q) {
        Optional<ReplicatedQuorumQueue> r = quorum.replicated(q);
        return r.isPresent() ? new QueueInfo(q.name(), q.spec(), r.get().messageCount(), r.get().consumerCount())
                : new QueueInfo(q.name(), q.spec(), q.messageCount(), q.consumerCount());
    }

    private static QueueInfo info(Stream s) {
        return new QueueInfo(s.name(), s.spec(), s.messageCount(), s.consumerCount());
    }

    @Override
    public String name() {
        return vhost.name();
    }

    @Override
    public ExchangeInfo declareExchange(ExchangeSpec spec, boolean passive) {
        return info(vhost.declareExchange(spec, passive));
    }

    @Override
    public void deleteExchange(String exchange, boolean ifUnused) {
        vhost.deleteExchange(exchange, ifUnused);
    }

    @Override
    public Optional<ExchangeInfo> exchange(String exchange) {
        return vhost.exchange(exchange).map(VhostFacade::info);
    }

    @Override
    public void useMqttTopicRules(String exchange) {
        vhost.exchange(exchange).ifPresent(x -> {
            if (x instanceof dev.junction.routing.exchange.TopicExchange topic) {
                topic.useMqttTopicRules();
            }
        });
    }

    @Override
    public List<Binding> bindingsFrom(String exchange) {
        return vhost.exchange(exchange).map(x -> List.copyOf(x.bindings())).orElse(List.of());
    }

    @Override
    public List<Binding> bindingsTo(String queue) {
        return vhost.bindingsTo(true, queue);
    }

    @Override
    public QueueInfo declareQueue(QueueSpec spec, Object owner, boolean passive, Consumer<String> beforeCreate) {
        if (vhost.streams().handles(spec) && (!passive || vhost.streams().get(spec.name()) != null)) {
            return info(vhost.streams().declare(spec, null, passive, beforeCreate));
        }
        return info(vhost.declareQueue(spec, null, owner, passive, beforeCreate));
    }

    @Override
    public QueueInfo declareQueue(QueueSpec spec, ServerQueueName name, Object owner, Consumer<String> beforeCreate) {
        if (!spec.name().isEmpty()) {
            throw new IllegalArgumentException("a server-named queue's spec has no name: " + spec.name());
        }
        if (vhost.streams().handles(spec)) {
            return info(vhost.streams().declare(spec, name, false, beforeCreate));
        }
        return info(vhost.declareQueue(spec, name, owner, false, beforeCreate));
    }

    @Override
    public CompletableFuture<Integer> deleteQueue(String queue, boolean ifUnused, boolean ifEmpty, Object owner) {
        if (vhost.streams().get(queue) != null) {
            return vhost.streams().delete(queue);
        }
        Optional<Queue> before = vhost.queue(queue);
        Optional<ReplicatedQuorumQueue> r = before.flatMap(quorum::replicated);
        if (r.isEmpty()) {
            return vhost.deleteQueue(queue, ifUnused, ifEmpty, owner);
        }
        int messages = r.get().messageCount();
        // if-unused and if-empty are judged on the queue's log: its definition here holds no message or consumer.
        return r.get().deletable(ifUnused, ifEmpty).thenCompose(allowed ->
                vhost.deleteQueue(queue, ifUnused, ifEmpty, owner)).thenApply(n -> {
            if (vhost.queue(queue).orElse(null) != before.get()) {
                quorum.deleted(before.get()); // its log state goes with it, once, from the node that deleted it
            }
            return messages;
        });
    }

    @Override
    public CompletableFuture<Integer> purgeQueue(String queue, Object owner) {
        Stream s = vhost.streams().get(queue);
        if (s != null) {
            throw s.purgeRefused();
        }
        Optional<ReplicatedQuorumQueue> r = replicated(queue);
        if (r.isPresent()) {
            vhost.usableQueue(queue, owner);
            return r.get().purge();
        }
        return vhost.purgeQueue(queue, owner);
    }

    @Override
    public Optional<QueueInfo> queue(String queue) {
        Stream s = vhost.streams().get(queue);
        return s != null ? Optional.of(info(s)) : vhost.queue(queue).map(this::info);
    }

    /**
     * A quorum queue's consumers as a command in its log counts them ({@link ReplicatedQuorumQueue#usage}), not as
     * this node's replica has applied them so far. The log answers a command only once the leader applied it, and a
     * follower's replica applies it later: a consumer's cancel was answered (Qpid JMS closes its durable subscriber
     * and unsubscribes at once) while this node's replica still counted it, and the unsubscribe was refused with "has
     * an active consumer". The usage command is ordered in the log after every command committed before it was
     * asked, so it counts every cancel answered before, by this node or another (a subscriber closed on one node and
     * unsubscribed on another), which neither of the other ways out would: completing a cancel only once this
     * node's replica has applied it (this node's cancels only, and a wait added to every cancel of every protocol),
     * nor discounting this node's cancelled consumers from its replica's count (the same, and a second count to keep
     * right). It costs a log round trip per call, as queue.delete's if-unused already does; a node cut off from the
     * group's majority fails the count rather than answer from a replica it cannot bring up to date.
     */
    @Override
    public CompletableFuture<Integer> consumerCountAsync(String queue) {
        Optional<ReplicatedQuorumQueue> r = replicated(queue);
        return r.isEmpty() ? Vhost.super.consumerCountAsync(queue)
                : r.get().usage(QuorumUsage.Counted.HELD)
                        .thenApply(usage -> usage == null ? 0 : (int) usage.consumers());
    }

    @Override
    public List<String> queueNames(String prefix) {
        return java.util.stream.Stream.concat(vhost.queues().stream().map(Queue::name),
                vhost.streams().all().stream().map(Stream::name)).filter(n -> n.startsWith(prefix)).toList();
    }

    @Override
    public void onDropped(String queue, Consumer<String> reason) {
        vhost.queue(queue).ifPresent(q -> q.onDropped(reason));
    }

    @Override
    public Policies policies() {
        return vhost.policies();
    }

    @Override
    public void bind(Binding binding, Object owner) {
        vhost.bind(binding, owner);
    }

    @Override
    public void unbind(Binding binding, Object owner) {
        vhost.unbind(binding, owner);
    }

    // ---- declarations answered when they have taken effect -------------------------------------------------------

    @Override
    public CompletableFuture<ExchangeInfo> declareExchangeAsync(ExchangeSpec spec, boolean passive) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        if (committed == null) {
            return CompletableFuture.completedFuture(declareExchange(spec, passive));
        }
        return passive ? committed.afterBarrier(() -> declareExchange(spec, true))
                : committed.declareExchange(spec).thenApply(VhostFacade::info);
    }

    @Override
    public CompletableFuture<Void> deleteExchangeAsync(String exchange, boolean ifUnused) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        if (committed == null) {
            deleteExchange(exchange, ifUnused);
            return CompletableFuture.completedFuture(null);
        }
        return committed.deleteExchange(exchange, ifUnused);
    }

    @Override
    public CompletableFuture<QueueInfo> declareQueueAsync(QueueSpec spec, ServerQueueName name, Object owner,
                                                          boolean passive, Consumer<String> beforeCreate) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        java.util.function.Supplier<QueueInfo> here = () -> name != null
                ? declareQueue(spec, name, owner, beforeCreate) : declareQueue(spec, owner, passive, beforeCreate);
        if (committed == null || (!passive && vhost.streams().handles(spec))) {
            return logCounts(here.get());
        }
        return passive ? committed.afterBarrier(here).thenCompose(this::logCounts)
                : committed.declareQueue(spec, name, owner, beforeCreate).thenCompose(this::reachable)
                        .thenApply(this::info).thenCompose(this::logCounts);
    }

    /** A replicated quorum queue's declare-ok counts come from its log ({@link QuorumDeclareCounts}). */
    private CompletableFuture<QueueInfo> logCounts(QueueInfo info) {
        Optional<ReplicatedQuorumQueue> r = replicated(info.name());
        return r.isEmpty() ? CompletableFuture.completedFuture(info) : QuorumDeclareCounts.of(r.get(), info);
    }

    /**
     * {@code q} once the node's relay carries what other nodes publish to its name through the default exchange
     * (RelayedNames): at once unless it is a queue of this node alone. So a reply sent to it after the declare-ok
     * is not lost on another node.
     */
    private CompletableFuture<Queue> reachable(Queue q) {
        Binding byName = Binding.toQueue("", q.name(), q.name(), java.util.Map.of());
        return vhost.publishing().relayed(byName).thenApply(v -> q);
    }

    @Override
    public CompletableFuture<Integer> deleteQueueAsync(String queue, boolean ifUnused, boolean ifEmpty, Object owner) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        if (committed == null || vhost.streams().get(queue) != null) {
            return deleteQueue(queue, ifUnused, ifEmpty, owner);
        }
        Optional<Queue> before = vhost.queue(queue);
        Optional<ReplicatedQuorumQueue> r = before.flatMap(quorum::replicated);
        if (r.isEmpty()) {
            return committed.deleteQueue(queue, ifUnused, ifEmpty, owner);
        }
        int messages = r.get().messageCount();
        return committed.deleteQueue(queue, ifUnused, ifEmpty, owner).thenApply(n -> {
            if (vhost.queue(queue).orElse(null) != before.get()) {
                quorum.deleted(before.get()); // as deleteQueue: the queue's log state goes, from the deleting node
            }
            return messages;
        });
    }

    @Override
    public CompletableFuture<Void> bindAsync(Binding binding, Object owner) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        if (committed == null) {
            bind(binding, owner);
            return CompletableFuture.completedFuture(null);
        }
        // A binding into a queue of this node alone is answered once the node's relay has it too (NodeRelay)
        return committed.bind(binding, owner).thenCompose(v -> vhost.publishing().relayed(binding));
    }

    @Override
    public CompletableFuture<Void> unbindAsync(Binding binding, Object owner) {
        CommittedDeclarations committed = CommittedDeclarations.of(engine, vhost);
        if (committed == null) {
            unbind(binding, owner);
            return CompletableFuture.completedFuture(null);
        }
        return committed.unbind(binding, owner);
    }

    @Override
    public PublishResult publish(Message message, boolean confirm) {
        return vhost.publish(message, confirm);
    }

    @Override
    public CompletableFuture<Consumption> consume(String queue, ConsumeRequest request, DeliverySink sink) {
        Stream s = vhost.streams().get(queue);
        if (s != null) {
            return s.consume(request.toSpec(), sink);
        }
        Queue q = vhost.usableQueue(queue, request.owner());
        Optional<ReplicatedQuorumQueue> r = quorum.replicated(q);
        if (r.isPresent()) {
            return r.get().consume(request.toSpec(), sink);
        }
        return q.consume(request.toSpec(), sink).thenApply(ConsumerHandle::new);
    }

    @Override
    public CompletableFuture<Delivery> get(String queue, Object owner, boolean autoAck) {
        Stream s = vhost.streams().get(queue);
        if (s != null) {
            throw s.getRefused();
        }
        Optional<ReplicatedQuorumQueue> r = replicated(queue);
        if (r.isPresent()) {
            return r.get().get(autoAck);
        }
        return vhost.usableQueue(queue, owner).get(autoAck);
    }

    @Override
    public void ownerClosed(Object owner) {
        vhost.ownerClosed(owner);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VhostFacade other && other.vhost == vhost;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(vhost);
    }

    @Override
    public String toString() {
        return vhost.toString();
    }
}
