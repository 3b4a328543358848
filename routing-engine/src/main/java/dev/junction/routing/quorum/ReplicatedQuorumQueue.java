package dev.junction.routing.quorum;

import dev.junction.routing.Confirmation;
import dev.junction.routing.MessageCodec;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.SerialExecutor;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.EffectiveArguments;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.QueueKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A quorum queue in a cluster as this node's routing and consumers see it: a {@link QueueTarget} whose messages are
 * in the replicated {@link QuorumLog}, not in this node's store or heap.
 *
 * <ul>
 *   <li>A routed message is submitted to the log; the publisher's confirmation is accepted once the log committed
 *   it on a majority (refused when the log refuses or cannot reach a majority in time).</li>
 *   <li>A consumer on this node is attached in the log with its prefetch; the log assigns messages to consumers as
 *   it applies entries, the same on every member, and this node delivers the ones assigned to its consumers from
 *   its own replica, through {@link QuorumConsumer} on this queue's mailbox.</li>
 *   <li>Settling is a log command: ack, requeue (a return, counted against x-delivery-limit, which the log
 *   enforces) and reject (dead-lettered here with reason {@code rejected}, as a classic queue does).</li>
 *   <li>basic.get is a one-shot checkout in the log, settled as a consumer's delivery is ({@link QuorumGets}).</li>
 * </ul>
 * The definition, bindings and arguments stay in the classic {@link Queue} the vhost declared, which holds no
 * message: its counts (management API, metrics) are this node's replica's, through {@link QuorumQueues#counts}.
 */
public final class ReplicatedQuorumQueue implements QueueTarget {
    private final Queue definition;
    private final QuorumLog log;
    private final String vhost;
    private final String name;
    /** Deliveries to this node's consumers, in the order the log assigned them. */
    private final SerialExecutor mailbox;
    /** The log's declaration of the queue; made again when it failed (no majority then). */
    private volatile CompletableFuture<Long> declared;
    private final Map<String, QuorumConsumer> consumers = new ConcurrentHashMap<>();
    /** This node's unsettled deliveries (the log's message ids) by the consumer holding each. */
    private final Map<Long, QuorumConsumer> unsettled = new ConcurrentHashMap<>();
    private final QuorumGets gets;
    private final QuorumAttachments attachments;
    private final QuorumDeadLetters deadLetters;
    private final AtomicInteger pending = new AtomicInteger(); // enqueues not yet committed, for the hold
    private final ReplicatedHold hold;

    ReplicatedQuorumQueue(RoutingEngine engine, Queue definition, QuorumLog log, Executor pool,
                          ScheduledExecutorService timers) {
        this.definition = definition;
        this.log = log;
        this.vhost = definition.key().vhost();
        this.name = definition.name();
        this.mailbox = new SerialExecutor(pool, "quorum queue '" + name + "'");
        this.deadLetters = new QuorumDeadLetters(engine, definition);
        this.declared = declare();
        this.gets = new QuorumGets(this, log, vhost, name);
        this.attachments = new QuorumAttachments(this, log, vhost, name);
        this.hold = ReplicatedHold.of(definition, log, pending::get, timers);
    }

    /**
     * The queue's declaration in its log, with the limits in effect: the declared arguments merged with the
     * queue's policy (RabbitMQ "Policies": {@code max-length}, {@code max-length-bytes}, {@code overflow},
     * {@code message-ttl}, {@code expires}, {@code delivery-limit}), so every replica enforces the same. A later
     * declaration replaces the limits of an earlier one.
     */
    private CompletableFuture<Long> declare() {
        QueueArguments a = definition.arguments().now();
        QuorumLimits limits = QuorumLimits.of(a);
        deadLetters.declared(limits);
        return log.declare(vhost, name, a.deliveryLimit() == null ? -1 : a.deliveryLimit(), a.singleActiveConsumer(),
                limits);
    }

    /**
     * The queue's policy changed on this node: its limits are declared in the log again. Every node applies the
     * policy from the metadata log and declares the same limits, which the log applies in its order; the same
     * declaration more than once changes nothing more.
     */
    public void limitsChanged() {
        declared = declare();
    }

    /**
     * Declares the queue in the log again when the last declaration failed. A command for the queue is submitted
     * after this, not chained on the declaration's future: the node's submissions keep their order, and dependents
     * of one future run in no particular order (a burst of publishes waiting on it came out reversed).
     */
    private void declared() {
        if (declared.isCompletedExceptionally()) {
            declared = declare();
        }
    }

    /** The log answered "no such queue": declared again, before the command that is asked again. */
    void declareAgain() {
        declared = declare();
    }

    boolean definedBy(Queue q) {
        return definition == q;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public QueueKey key() {
        return definition.key();
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** Bodies are in the replicated log, never in this node's message store. */
    @Override
    public boolean usesMessageStore() {
        return false;
    }

    @Override
    public void enqueue(Message message, long storeId, Confirmation confirmation, List<Binding> matched) {
        byte[] body = MessageCodec.encode(message);
        declared();
        // The publish time travels in the log, so every replica judges x-message-ttl alike.
        pending.incrementAndGet();
        log.enqueue(vhost, name, body, message.bodySize(), System.currentTimeMillis()).whenComplete((id, failed) -> {
            pending.decrementAndGet();
            if (failed == null && id != null && id > 0) {
                confirmation.accept(); // committed by a majority: [RabbitMQ "Quorum Queues", publisher confirms]
            } else {
                // No majority, no such queue, or over a reject-publish limit (RabbitMQ "Queue Length Limit":
                // the publisher gets basic.nack, AMQP 0-9-1 confirms; an MQTT 5 publisher an error PUBACK).
                confirmation.refuse();
            }
        });
    }

    /**
     * The node's commands waiting for the log (a publisher brake, as a classic queue's full mailbox is), or the
     * length-limit hold of a queue that asks for it ({@link ReplicatedHold}).
     */
    @Override
    public boolean congested() {
        return log.congested() || hold.congested();
    }

    @Override
    public void whenRelieved(Runnable callback) {
        if (!hold.whenRelieved(() -> log.whenRelieved(callback))) {
            log.whenRelieved(callback);
        }
    }

    /** Credit is the log's (each consumer's prefetch); nothing waits here on a channel's. */
    @Override
    public void kick() {
    }

    @Override
    public EffectiveArguments arguments() {
        return definition.arguments();
    }

    @Override
    public List<Binding> bindingsMatching(Message message) {
        return definition.bindingsMatching(message);
    }

    /** The ready messages as this node's replica has applied them. */
    public int messageCount() {
        return Math.max(0, log.readyCount(vhost, name));
    }

    /** The consumers attached on every node, as this node's replica has applied them. */
    public int consumerCount() {
        return Math.max(0, log.consumerCount(vhost, name));
    }

    /** Registers a consumer of this node; completes once the log has attached it. */
    public CompletableFuture<Consumption> consume(ConsumerSpec spec, DeliverySink sink) {
        String id = log.newConsumerId();
        long prefetch = spec.autoAck() ? QuorumTerms.AUTO_ACK_WINDOW : QuorumTerms.prefetchOf(spec.limits());
        QuorumConsumer c = new QuorumConsumer(this, id, spec, sink, mailbox, prefetch);
        consumers.put(id, c);
        CompletableFuture<Consumption> attached = new CompletableFuture<>();
        declared();
        // The priority and exclusivity travel in the attach command, so every replica orders and judges alike.
        attachments.attach(c).whenComplete((ok, failed) -> {
            if (failed != null) {
                consumers.remove(id);
                attached.completeExceptionally(failed);
                return;
            }
            // The adapter answers basic.consume-ok from this completion; only then may deliveries follow it, though
            // this node's replica may have applied the attachment (and assigned messages) before the reply came.
            attached.complete(c);
            c.start();
        });
        return attached;
    }

    /**
     * Attaches this node's consumers again after a leader detached them: what they held unsettled went back to the
     * queue, so their settles of it are ignored from now on.
     */
    void reattach() {
        unsettled.values().removeIf(c -> consumers.containsKey(c.id()));
        for (QuorumConsumer c : consumers.values()) {
            c.forgetUnsettled();
            attachments.reattach(c);
        }
    }

    /** The log refused to attach {@code c} again (exclusivity): it is cancelled, saying so, and forgotten. */
    void refused(QuorumConsumer c) {
        if (consumers.remove(c.id(), c)) {
            c.cancelledByQueue(CancelReason.IN_EXCLUSIVE_USE);
        }
    }

    /**
     * Detaches the consumer in the log. What it was handed and did not settle stays its own (an AMQP consumer may
     * still ack after basic.cancel; a closing channel or MQTT connection requeues it); what the log assigned to it
     * but the sink never got goes back to the queue ({@link QuorumConsumer#cancelled}).
     */
    CompletableFuture<Void> cancel(QuorumConsumer c) {
        consumers.remove(c.id());
        c.cancelled();
        return log.detach(vhost, name, c.id(), false).thenApply(ok -> null);
    }

    /** The log assigned message {@code id} to {@code consumer}, one of this node's (or one gone from it). */
    void delivered(String consumer, long id, byte[] body, int returns) {
        QuorumConsumer c = consumers.get(consumer);
        if (c == null) {
            log.giveBack(vhost, name, consumer, id); // cancelled before the log heard of it
            return;
        }
        Message m = QuorumTerms.decoded(body, returns);
        // Nothing acknowledges it (auto-ack, MQTT QoS 0): settled once handed to the sink, so what waits here for
        // a slow socket is bounded by the consumer's window, and the rest stays in the log, under x-max-length.
        boolean settled = c.autoAck() || c.settlesOnSend(m);
        if (!settled) {
            unsettled.put(id, c);
        }
        c.offer(id, m, returns, settled);
    }

    /**
     * A delivery nothing acknowledges went to the consumer's sink ({@code sent}: settled in the log), or never will
     * (the consumer was cancelled: back to the queue). Mailbox.
     */
    void handedOver(String consumer, long id, boolean sent) {
        if (sent) {
            log.settle(vhost, name, consumer, id);
        } else {
            log.giveBack(vhost, name, consumer, id);
        }
    }

    /**
     * basic.get (AMQP 0-9-1; RabbitMQ "Quorum Queues"): completes with the first ready message, or null when none is
     * ready (get-empty). Works on any node: the checkout goes through the queue's log ({@link QuorumGets}).
     */
    public CompletableFuture<Delivery> get(boolean autoAck) {
        declared();
        return gets.get(autoAck);
    }

    /** The log checked message {@code id} out for this node's get {@code getter}. Log's apply thread. */
    void got(String getter, long id, byte[] body, int returns, int remaining) {
        gets.got(getter, id, QuorumTerms.decoded(body, returns), returns, remaining);
    }

    @Override
    public void settle(long deliveryId, Settlement how) {
        settle(new long[] {deliveryId}, how);
    }

    @Override
    public void settle(long[] deliveryIds, Settlement how) {
        for (long id : deliveryIds) {
            QuorumConsumer c = unsettled.remove(id);
            if (c == null) {
                gets.settle(id, how); // a got message, or settled already
                continue;
            }
            Message m = c.settled(id);
            if (how == Settlement.REQUEUE || how == Settlement.RELEASE) { // the log counts every return
                log.giveBack(vhost, name, c.id(), id);
            } else if (how == Settlement.DISCARD) {
                discarded(c.id(), id, m);
            } else {
                log.settle(vhost, name, c.id(), id);
            }
        }
    }

    /**
     * A reject without requeue of message {@code id} held by {@code holder} (a consumer or a get), reason {@code
     * rejected}. At least once the log keeps it until its target confirmed it; at most once it is settled and
     * published here, as a classic queue does.
     */
    void discarded(String holder, long id, Message m) {
        if (deadLetters.atLeastOnce()) {
            log.reject(vhost, name, holder, id);
            return;
        }
        log.settle(vhost, name, holder, id);
        if (m != null) {
            deadLettered(m, DeadLetters.REJECTED);
        }
    }

    /** Where the queue's dropped and rejected messages are dead-lettered. */
    QuorumDeadLetters deadLetters() {
        return deadLetters;
    }

    /**
     * The log dropped the message for a length limit (reason {@code maxlen}), its x-message-ttl ({@code expired}),
     * x-delivery-limit ({@code delivery_limit}) or a reject ({@code rejected}): dead-lettered at most once when the
     * queue has a dead-letter exchange. Log's apply thread (a reject: the consumer's).
     */
    void deadLettered(Message m, String reason) {
        deadLetters.deadLettered(m, reason);
    }

    /** queue.delete's if-unused and if-empty, judged by the log's {@link #usage}: 406 ({@link QuorumUsage#require}). */
    public CompletableFuture<Void> deletable(boolean ifUnused, boolean ifEmpty) {
        return !ifUnused && !ifEmpty ? CompletableFuture.completedFuture(null)
                : usage(QuorumUsage.Counted.HELD).thenAccept(usage -> QuorumUsage.require(usage, ifUnused, ifEmpty,
                        key()));
    }

    /** The queue's consumers and messages at this request's place in its log, from every node ({@link QuorumLog}). */
    public CompletableFuture<QuorumUsage> usage(QuorumUsage.Counted counted) {
        declared();
        return log.usage(vhost, name, counted);
    }

    /** queue.purge: completes with the number of ready messages the log dropped. */
    public CompletableFuture<Integer> purge() {
        declared();
        return log.purge(vhost, name).thenApply(Long::intValue);
    }

    void delete() {
        hold.close();
        consumersGone();
        log.delete(vhost, name);
    }

    /** The queue was deleted: this node's consumers are told so (AMQP basic.cancel) and forgotten. */
    void consumersGone() {
        consumers.values().forEach(c -> c.cancelledByQueue(CancelReason.QUEUE_DELETED));
        consumers.clear();
    }

    @Override
    public String toString() {
        return "quorum queue '" + name + "' in vhost '" + vhost + "'";
    }
}
