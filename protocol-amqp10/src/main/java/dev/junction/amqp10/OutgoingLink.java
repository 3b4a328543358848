package dev.junction.amqp10;

import dev.junction.routing.api.ConsumeRequest;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.ConsumerInfo;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.Settlement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;

/**
 * A link on which the client consumes (proton's {@link Sender}): one engine consumer on the queue its source
 * names. The client's link credit is what the queue may hand over [AMQP 1.0 part 2 section 2.6.7]: the sink is
 * {@link #ready()} only while fewer deliveries were taken than the client granted, so the queue keeps the rest,
 * and a flow that grants more resumes the consumer. A receiver that asks for settled transfers (at-most-once)
 * consumes without acknowledgements; otherwise each delivery stays unsettled in the queue until the client's
 * outcome: {@code accepted} acknowledges, {@code released} and {@code modified} requeue (counted as a delivery only
 * when failed, see {@link Outcomes}), {@code rejected} dead-letters (or drops, without a dead-letter exchange).
 * Deliveries unsettled when the link ends are requeued.
 *
 * <p>A durable or shared subscription (a named link on a topic) consumes from the subscription's own queue, see
 * {@link NamedSubscription}. A stream is consumed from the offset its source's filter asks for
 * ({@link SourceFilters}), with the stream's own credit and settlement ({@link StreamLink}). Refused at attach, with
 * {@code amqp:not-implemented}: other filters (JMS selectors, no-local, stream filtering) and browsing
 * (distribution-mode {@code copy} on a queue), which this adapter does not map.
 */
final class OutgoingLink implements DeliverySink {
    private static final AtomicLong TAGS = new AtomicLong();
    private static final long STREAM_DRAIN_MS = 20;
    private static final Symbol COPY = Symbol.valueOf("copy");
    private static final Symbol[] OUTCOMES = {Accepted.DESCRIPTOR_SYMBOL, Rejected.DESCRIPTOR_SYMBOL,
        Released.DESCRIPTOR_SYMBOL, Modified.DESCRIPTOR_SYMBOL};

    private final Sender sender;
    private final Opened o;
    private final Dispatcher dispatcher;
    private final String queue;
    private final boolean preSettled;
    /** An unshared durable subscription's consumer: the only one its queue takes. */
    private final boolean exclusive;
    /** Set when the queue is a stream. */
    private final StreamLink stream;
    /** The consumer arguments the source's filters ask for ({@code x-stream-offset}). */
    private final Map<String, Object> arguments;
    /** Whether the queue was made for this link (deleted if consuming is refused) or goes with it (dynamic). */
    private final LinkQueue.Lifetime lifetime;
    /** Deliveries the queue handed over (queue threads); at most {@link #granted}. */
    private final AtomicLong handed = new AtomicLong();
    /** Transfers the client allowed in all: those sent plus the credit left. */
    private volatile long granted;
    private long sent;
    private long nextTag;
    private final UnsettledTransfers unsettled = new UnsettledTransfers();
    private final AckBatch acks = new AckBatch();
    private Consumption consumption;
    private boolean open = true;
    private boolean drainCheckPending;

    private OutgoingLink(Sender sender, Opened o, Dispatcher dispatcher, String queue, boolean preSettled,
                         boolean exclusive, Map<String, Object> arguments, LinkQueue.Lifetime lifetime) {
        this.sender = sender;
        this.lifetime = lifetime;
        this.exclusive = exclusive;
        this.arguments = arguments;
        this.stream = StreamLink.of(o.vhost(), queue);
        this.o = o;
        this.dispatcher = dispatcher;
        this.queue = queue;
        this.preSettled = preSettled;
    }

    /**
     * Checks the source and declares the queue it reads (or makes one for the link), then opens the link and starts
     * its consumer once that has taken effect (see {@link PendingAttach}); {@code opened} then takes the link.
     */
    static void attach(Sender s, Opened o, Dispatcher dispatcher, Consumer<OutgoingLink> opened) {
        Source remote = (Source) s.getRemoteSource();
        if (remote == null) {
            throw Refusal.link(Condition.INVALID_FIELD, "a consumer's link needs a source");
        }
        SourceFilters.Accepted filters = SourceFilters.read(remote.getFilter());
        Set<String> capabilities = Dispatcher.capabilities(remote.getCapabilities());
        boolean named = NamedSubscription.requested(remote, capabilities);
        if (!named && COPY.equals(remote.getDistributionMode())) {
            // a browser (JMS QueueBrowser) must not take messages away; queues here only hand them over (Qpid JMS
            // asks for copy on durable subscriptions too, whose queue is their own)
            throw Refusal.link(Condition.NOT_IMPLEMENTED, "browsing (distribution-mode copy) is not supported");
        }
        Source local = (Source) remote.copy();
        local.setFilter(filters.inPlace()); // the filters in place [part 3 section 3.5.3], as RabbitMQ 4 echoes them
        boolean dynamic = remote.getDynamic();
        CompletableFuture<LinkQueue> queue;
        if (dynamic) {
            queue = Terminus.temporaryQueue(o, false, o.access()::consume).thenApply(LinkQueue::dynamic);
        } else {
            Address a = Address.source(remote.getAddress(), capabilities);
            queue = named ? NamedSubscription.attach(s, o, remote, a, capabilities)
                    : a instanceof Address.Subscription sub ? Terminus.subscription(o, sub).thenApply(LinkQueue::made)
                    : Terminus.queue(o, (Address.Queue) a, true).thenApply(LinkQueue::independent);
        }
        PendingAttach.await(s, dispatcher, o.conn(), queue, q -> {
            if (dynamic) {
                local.setAddress("/queues/" + q.name());
            }
            try {
                opened.accept(open(s, o, dispatcher, local, q, named, capabilities, filters));
            } catch (RuntimeException e) {
                if (q.madeByAttach()) {
                    Terminus.discard(o, q.name()); // a refused attach leaves no queue of its own behind
                }
                throw e;
            }
        }, q -> {
            if (q.madeByAttach()) {
                Terminus.discard(o, q.name());
            }
        });
    }

    private static OutgoingLink open(Sender s, Opened o, Dispatcher dispatcher, Source local, LinkQueue queue,
                                     boolean named, Set<String> capabilities, SourceFilters.Accepted filters) {
        o.access().consume(queue.name());
        boolean preSettled = s.getRemoteSenderSettleMode() == SenderSettleMode.SETTLED;
        local.setOutcomes(OUTCOMES);
        s.setSource(local);
        s.setTarget(s.getRemoteTarget());
        s.setSenderSettleMode(preSettled ? SenderSettleMode.SETTLED : SenderSettleMode.UNSETTLED);
        s.setReceiverSettleMode(ReceiverSettleMode.FIRST);
        OutgoingLink link = new OutgoingLink(s, o, dispatcher, queue.name(), preSettled,
                named && !capabilities.contains(NamedSubscription.SHARED), filters.arguments(), queue.lifetime());
        s.setContext(link);
        if (!link.exclusive) {
            s.open();
        }
        link.consume();
        return link;
    }

    private void consume() {
        ConsumeRequest request = new ConsumeRequest("amq.ctag-amqp10-" + TAGS.incrementAndGet(),
                preSettled && stream == null, exclusive, 0, stream == null ? List.of() : stream.credits(), o.conn(),
                arguments);
        o.vhost().consume(queue, request, this).whenComplete((c, error) -> o.conn().onLoop(() -> {
            if (error != null) {
                if (lifetime != LinkQueue.Lifetime.INDEPENDENT) {
                    Terminus.discard(o, queue);
                }
                dispatcher.fail(sender, exclusive ? NamedSubscription.inUse(sender, error) : error);
            } else if (!open) {
                dispatcher.cancelling(c.cancel());
            } else {
                if (exclusive) {
                    sender.open(); // only now: a refused exclusive consumer fails the attach itself
                }
                consumption = c;
                flow();
            }
        }));
    }

    // ---- the sink: queue threads ----------------------------------------------------------------------------------

    @Override
    public void deliver(dev.junction.routing.api.Delivery d) {
        handed.incrementAndGet();
        o.conn().outlet().deliver(() -> send(d));
    }

    @Override
    public boolean ready() {
        return handed.get() < granted && o.conn().outlet().canTakeDeliveries();
    }

    /** The queue was deleted ({@code amqp:resource-deleted}, as RabbitMQ 4 does) or is in exclusive use (locked). */
    @Override
    public void cancelled(dev.junction.routing.api.CancelReason why) {
        o.conn().onLoop(() -> dispatcher.fail(sender, Refusal.link(Condition.of(why),
                "queue '" + queue + "' in vhost '" + o.vhost().name() + "' " + why.text())));
    }

    // ---- the event loop -------------------------------------------------------------------------------------------

    private void send(dev.junction.routing.api.Delivery d) {
        if (!open) {
            if (!d.autoAck()) {
                d.settle(Settlement.RELEASE); // never sent: not a delivery (a quorum queue still counts it)
            }
            return;
        }
        Delivery transfer = sender.delivery(tag(nextTag++));
        Encoding.send(sender, MessageMapping.toAmqp(d.message(), d.deliveryCount(), d.redelivered()),
                d.message().bodySize());
        sender.advance();
        sent++;
        if (preSettled || d.autoAck()) {
            transfer.settle();
            if (!d.autoAck() && acks.add(d.source(), d.deliveryId())) {
                o.conn().onLoop(acks::flush); // a stream's, sent settled (StreamLink): once after this batch
            }
        } else {
            transfer.setContext(d);
            unsettled.add(transfer);
        }
        if (sender.getDrain()) {
            drainIfEmpty();
        }
    }

    /** The client settled or gave an outcome for a transfer. */
    void disposition(Delivery transfer) {
        if (!(transfer.getContext() instanceof dev.junction.routing.api.Delivery d)) {
            if (transfer.remotelySettled()) {
                transfer.settle();
            }
            return;
        }
        DeliveryState state = transfer.getRemoteState();
        if (state == null && !transfer.remotelySettled()) {
            return;
        }
        if (state instanceof TransactionalState txn) {
            // applied at commit; a rollback requeues the message as a failed delivery, counted (JMS: redelivered),
            // and the link's close requeues it if that comes first
            Object outcome = txn.getOutcome();
            o.transactions().get(txn.getTxnId()).outcome(() -> settleIfHeld(transfer, d, outcome),
                    () -> settleIfHeld(transfer, d, Outcomes.FAILED));
            return;
        }
        // settled without a state: the source's default outcome applies [part 3 section 3.5.3], else accepted
        settle(transfer, d, state != null ? state : ((Source) sender.getSource()).getDefaultOutcome());
    }

    private void settleIfHeld(Delivery transfer, dev.junction.routing.api.Delivery d, Object outcome) {
        if (open && transfer.getContext() == d) {
            settle(transfer, d, outcome);
            flushAcks(); // a commit's outcomes are applied outside a read: nothing would pass them on later
        }
    }

    /** An outcome: acknowledgements wait in the {@link AckBatch} for the end of the read; others go at once. */
    private void settle(Delivery transfer, dev.junction.routing.api.Delivery d, Object outcome) {
        Settlement how = stream != null ? StreamLink.settlement(outcome) : Outcomes.settlement(outcome);
        if (how == Settlement.ACK) {
            if (acks.add(d.source(), d.deliveryId())) {
                dispatcher.acking(this);
            }
        } else {
            acks.flush();
            d.settle(how);
        }
        transfer.setContext(null);
        unsettled.settled();
        transfer.settle();
    }

    /** Passes the acknowledgements gathered in this read to the queue. */
    void flushAcks() {
        acks.flush();
    }

    /** This link as the management API lists a consumer: its link name is the tag, its credit the prefetch. */
    ConsumerInfo info() {
        return new ConsumerInfo(queue, sender.getName(), !preSettled, Math.max(0, sender.getCredit()), false,
                Map.of());
    }

    /** Transfers sent and not settled by the client yet. */
    int unsettledCount() {
        return unsettled.size();
    }

    /** The client's credit changed: the queue may hand over up to what it now allows. */
    void flow() {
        granted = sent + Math.max(0, sender.getCredit());
        if (stream != null) {
            stream.allow(unsettled.size() + Math.max(0, sender.getCredit()));
        }
        if (consumption != null && handed.get() < granted) {
            consumption.resume();
        }
        if (sender.getDrain()) {
            drainIfEmpty();
        }
    }

    /**
     * A drain asks to use up the credit or give it back [part 2 section 2.6.7]: given back once everything the
     * queue handed over was sent and the queue has nothing ready.
     */
    private void drainIfEmpty() {
        if (sender.getCredit() > 0 && handed.get() == sent) {
            if (stream != null) {
                drainStream();
            } else if (o.vhost().queue(queue).map(QueueInfo::messageCount).orElse(0) == 0) {
                sender.drained();
                granted = sent;
            }
        }
    }

    /**
     * A stream keeps its messages, so its message count never says a consumer has read to the end: the consumer
     * is asked for more, and the credit is given back when it handed nothing over for {@value #STREAM_DRAIN_MS} ms.
     */
    private void drainStream() {
        if (drainCheckPending) {
            return;
        }
        drainCheckPending = true;
        long before = handed.get();
        resume();
        o.conn().schedule(() -> o.conn().onLoop(() -> {
            drainCheckPending = false;
            if (!open || !sender.getDrain()) {
                return;
            }
            if (handed.get() == before) {
                sender.drained();
                granted = sent;
            } else {
                drainIfEmpty();
            }
        }), STREAM_DRAIN_MS);
    }

    void resume() {
        if (consumption != null && open) {
            consumption.resume();
        }
    }

    /**
     * The link ended: the consumer is cancelled and what the client did not settle goes back to the queue; a dynamic
     * source's queue is deleted, after those requeues [AMQP 1.0 part 3 section 3.5.10, delete-on-close].
     */
    void close() {
        if (!open) {
            return;
        }
        open = false;
        acks.flush(); // acknowledged before the link ended: not to be requeued with the rest
        if (consumption != null) {
            dispatcher.cancelling(consumption.cancel());
        }
        unsettled.drain(transfer -> {
            if (transfer.getContext() instanceof dev.junction.routing.api.Delivery d) {
                d.settle(Settlement.REQUEUE);
            }
        });
        if (lifetime == LinkQueue.Lifetime.LINK) {
            Terminus.deleteWithLink(o, queue);
        }
    }

    /**
     * The delivery tag of the link's {@code n}th transfer: {@code n}'s bytes without leading zero bytes (at least
     * one), unique on the link as the spec asks [AMQP 1.0 part 2 section 2.8.7] and up to 8 bytes of the 32 allowed.
     */
    static byte[] tag(long n) {
        int length = Math.max(1, 8 - Long.numberOfLeadingZeros(n) / 8);
        byte[] tag = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            tag[i] = (byte) n;
            n >>>= 8;
        }
        return tag;
    }
}
