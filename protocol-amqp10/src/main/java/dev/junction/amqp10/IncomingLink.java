package dev.junction.amqp10;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.PublishResult;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.message.Message;

/**
 * A link on which the client publishes (proton's {@link Receiver}). Its target is checked once at attach (the
 * exchange or queue exists, write permission); the null target checks each message's {@code to}. Each message
 * is routed through the engine as it completes:
 * <ul>
 * <li>sent settled (at-most-once): routed, nothing answered;</li>
 * <li>sent unsettled: {@code accepted} once the engine confirmed it (every queue has it and, for a durable
 * message in durable queues, the store synced it: the contract of 0-9-1 publisher confirms),
 * {@code released} when no queue took it (unroutable, or refused by a queue), {@code rejected} with the condition
 * when the message itself is refused (permission, unknown {@code to}, user-id of another user).</li>
 * </ul>
 * Credit: the link keeps {@link Amqp10Settings#linkCredit()} less the messages still waiting for their confirm,
 * and renews none while the {@link PublisherBrake} holds, so the client never has more in flight than that.
 */
final class IncomingLink {
    private final Receiver receiver;
    private final Opened o;
    private final Address target;
    /** The target is a dynamic node made for this link: deleted when the link ends. */
    private final boolean dynamic;
    private final int window;
    /** Unsettled messages routed and not yet confirmed: they count against the window. */
    private int awaiting;
    private final Confirmations confirmations;
    private boolean open = true;

    private IncomingLink(Receiver receiver, Opened o, Address target, boolean dynamic) {
        this.receiver = receiver;
        this.o = o;
        this.target = target;
        this.dynamic = dynamic;
        this.window = o.settings().linkCredit();
        this.confirmations = new Confirmations(o.conn()::onLoop, this::confirmed, this::topUp);
    }

    /**
     * Checks the target and declares what it needs, then opens the link once that has taken effect (see
     * {@link PendingAttach}); the link joins the connection's {@link PublisherBrake} then.
     */
    static void attach(Receiver r, Opened o, Dispatcher dispatcher) {
        Target remote = (Target) r.getRemoteTarget();
        Target local = remote == null ? new Target() : (Target) remote.copy();
        boolean dynamic = remote != null && remote.getDynamic();
        CompletableFuture<Address> target;
        if (dynamic) {
            // write on the default exchange with the name as key, checked before the queue is made: nothing after
            // it can refuse the attach, so a refused one never leaves the queue behind
            target = Terminus.temporaryQueue(o, false, name -> o.access().publish(o.vhost(), "", name))
                    .thenApply(queue -> new Address.Queue(queue, false));
        } else {
            Address a = Address.target(remote == null ? null : remote.getAddress(),
                    Dispatcher.capabilities(remote == null ? null : remote.getCapabilities()));
            if (a instanceof Address.Exchange x) {
                Terminus.exchange(o, x.exchange());
                o.access().publish(o.vhost(), x.exchange(), x.routingKey());
                target = CompletableFuture.completedFuture(a);
            } else if (a instanceof Address.Queue q) {
                target = Terminus.queue(o, q, false).thenApply(name -> a);
            } else {
                target = CompletableFuture.completedFuture(a);
            }
        }
        PendingAttach.await(r, dispatcher, o.conn(), target, t -> {
            if (dynamic) {
                local.setAddress("/queues/" + ((Address.Queue) t).name());
            } else if (t instanceof Address.Queue q) {
                o.access().publish(o.vhost(), "", q.name());
            }
            o.brake().add(open(r, o, local, t, dynamic));
        }, t -> {
            if (dynamic) {
                Terminus.deleteWithLink(o, ((Address.Queue) t).name());
            }
        });
    }

    private static IncomingLink open(Receiver r, Opened o, Target local, Address target, boolean dynamic) {
        r.setTarget(local);
        r.setSource(r.getRemoteSource());
        r.setSenderSettleMode(r.getRemoteSenderSettleMode());
        r.setReceiverSettleMode(ReceiverSettleMode.FIRST);
        r.setMaxMessageSize(UnsignedLong.valueOf(o.settings().maxMessageSize()));
        IncomingLink link = new IncomingLink(r, o, target, dynamic);
        r.setContext(link);
        r.open();
        link.topUp();
        link.takeEarlyTransfers();
        return link;
    }

    /**
     * Transfers that came while the attach waited for its declarations, which proton kept: none is due before the
     * first flow [AMQP 1.0 part 2 section 2.6.7], but a client that sends without credit gets them routed in order,
     * now that the target exists, rather than left unanswered.
     */
    private void takeEarlyTransfers() {
        Delivery d = receiver.current();
        while (d != null && !d.isPartial()) {
            delivery(d);
            Delivery next = receiver.current();
            if (next == d) {
                return;
            }
            d = next;
        }
    }

    /** A transfer arrived (or more of one): a complete message is routed. */
    void delivery(Delivery d) {
        if (!open || d.getContext() != null || d != receiver.current()) {
            return; // a settlement update of a message handled already
        }
        long max = o.settings().maxMessageSize();
        if (d.pending() > max) {
            throw Refusal.link(Condition.MESSAGE_SIZE_EXCEEDED, "message larger than " + max + " bytes");
        }
        if (d.isAborted()) {
            receiver.advance();
            d.settle();
            return;
        }
        if (d.isPartial()) {
            return;
        }
        ReadableBuffer payload = receiver.recv(); // proton's buffer of the transfer, decoded where it lies
        receiver.advance();
        d.setContext(this);
        boolean settled = d.remotelySettled();
        try {
            TransactionalState txn = d.getRemoteState() instanceof TransactionalState t ? t : null;
            route(d, Encoding.decode(payload), settled, txn);
        } catch (Refusal r) {
            if (r.condition() == Condition.DECODE_ERROR) {
                throw r;
            }
            outcome(d, settled, rejected(r.error()));
        } catch (BrokerException e) {
            outcome(d, settled, rejected(Condition.of(e.kind()).with(e.getMessage())));
        }
        topUp();
    }

    private void route(Delivery d, Message m, boolean settled, TransactionalState txn) {
        String exchange;
        String routingKey;
        Address to = target instanceof Address.PerMessage ? Address.messageTo(m.getAddress()) : target;
        if (to instanceof Address.Queue q) {
            if (target instanceof Address.PerMessage) {
                Terminus.existing(o, q, false);
                o.access().publish(o.vhost(), "", q.name());
            }
            exchange = "";
            routingKey = q.name();
        } else {
            Address.Exchange x = (Address.Exchange) to;
            if (target instanceof Address.PerMessage) {
                Terminus.exchange(o, x.exchange());
            }
            exchange = x.exchange();
            routingKey = x.routingKey() != null ? x.routingKey() : m.getSubject() == null ? "" : m.getSubject();
            o.access().publish(o.vhost(), exchange, routingKey);
        }
        dev.junction.routing.api.Message message = MessageMapping.toEngine(m, exchange, routingKey);
        String userId = message.properties().userId();
        if (userId != null && !userId.equals(o.access().userName())) {
            // as 0-9-1's user_id: a message may not claim to come from another user
            throw Refusal.link(Condition.PRECONDITION_FAILED, "user-id '" + userId
                    + "' is not the authenticated user '" + o.access().userName() + "'");
        }
        if (txn != null) {
            transactional(d, message, settled, txn);
            return;
        }
        PublishResult result = o.vhost().publish(message, !settled);
        if (result.congested()) {
            o.brake().congested(result);
        }
        if (settled) {
            d.settle();
            return;
        }
        if (!result.routed()) {
            outcome(d, false, Released.getInstance());
            return;
        }
        awaiting++;
        CompletableFuture<Boolean> confirmed = result.confirmed();
        if (confirmed.isDone() && !confirmed.isCompletedExceptionally()) {
            confirmed(d, confirmed.join()); // the caller tops the credit up
        } else {
            confirmed.whenComplete((ok, error) -> confirmations.completed(d,
                    error == null && Boolean.TRUE.equals(ok)));
        }
    }

    /**
     * A transfer under a transaction [AMQP 1.0 part 4 section 4.4.1]: checked now, routed at commit; its outcome
     * is the transactional state holding {@code accepted}, final once the discharge commits.
     */
    private void transactional(Delivery d, dev.junction.routing.api.Message message, boolean settled,
                               TransactionalState txn) {
        o.transactions().get(txn.getTxnId()).publish(() -> {
            PublishResult result = o.vhost().publish(message, true);
            if (result.congested()) {
                o.brake().congested(result);
            }
            return result.routed() ? result.confirmed() : CompletableFuture.completedFuture(false);
        });
        TransactionalState state = new TransactionalState();
        state.setTxnId(txn.getTxnId());
        state.setOutcome(Accepted.getInstance());
        outcome(d, settled, state);
    }

    /** The engine's answer for an unsettled message; the credit is topped up after (once per batch). */
    private void confirmed(Delivery d, boolean ok) {
        awaiting--;
        if (open) {
            outcome(d, false, ok ? Accepted.getInstance() : Released.getInstance());
        }
    }

    private static Rejected rejected(ErrorCondition error) {
        Rejected rejected = new Rejected();
        rejected.setError(error);
        return rejected;
    }

    private void outcome(Delivery d, boolean settled, DeliveryState state) {
        if (!settled) {
            d.disposition(state);
        }
        d.settle();
    }

    /** Renews the client's credit up to the window, unless the brake holds or half of it is still unspent. */
    void topUp() {
        if (!open || o.brake().holding()) {
            return;
        }
        int credit = receiver.getCredit();
        int room = window - credit - awaiting;
        if (room > 0 && credit <= window / 2) {
            receiver.flow(room);
        }
    }

    /**
     * The link ended (detach, end, close): confirms still due are dropped with it, and a dynamic target's queue is
     * deleted. Qpid JMS makes a temporary queue with such a link, lifetime-policy delete-on-close [AMQP 1.0 part 3
     * section 3.5.10], and closes it for {@code TemporaryQueue.delete()}.
     */
    void close() {
        open = false;
        o.brake().remove(this);
        if (dynamic) {
            Terminus.deleteWithLink(o, ((Address.Queue) target).name());
        }
    }
}
