package dev.junction.amqp10;

import dev.junction.routing.api.BrokerException;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transaction.Coordinator;
import org.apache.qpid.proton.amqp.transaction.Declare;
import org.apache.qpid.proton.amqp.transaction.Declared;
import org.apache.qpid.proton.amqp.transaction.Discharge;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;

/**
 * A coordinator link [AMQP 1.0 part 4 section 4.2]: the client sends {@code declare} and {@code discharge}
 * messages to it, as a JMS transacted session does. A declare is answered with {@code declared} and the new
 * {@code txn-id}; a discharge commits ({@code fail} false) or rolls back the transaction and is {@code accepted}
 * once a commit's messages are in their queues (and on disk, for durable ones), as 0-9-1's {@code tx.commit-ok}.
 * Only local transactions are offered. Event-loop only.
 */
final class TransactionCoordinator {
    private static final Symbol LOCAL_TRANSACTIONS = Symbol.valueOf("amqp:local-transactions");
    private static final int CREDIT = 16;
    private final Receiver link;
    private final Opened o;

    private TransactionCoordinator(Receiver link, Opened o) {
        this.link = link;
        this.o = o;
    }

    static boolean addresses(Receiver r) {
        return r.getRemoteTarget() instanceof Coordinator;
    }

    static TransactionCoordinator attach(Receiver r, Opened o) {
        Coordinator coordinator = new Coordinator();
        coordinator.setCapabilities(LOCAL_TRANSACTIONS);
        r.setTarget(coordinator);
        r.setSource(r.getRemoteSource());
        r.setSenderSettleMode(r.getRemoteSenderSettleMode());
        r.setReceiverSettleMode(ReceiverSettleMode.FIRST);
        TransactionCoordinator c = new TransactionCoordinator(r, o);
        r.setContext(c);
        r.open();
        r.flow(CREDIT);
        return c;
    }

    void delivery(Delivery d) {
        if (d.isPartial() || d != link.current() || d.getContext() != null) {
            return;
        }
        ReadableBuffer payload = link.recv();
        link.advance();
        d.setContext(this);
        Object body = Encoding.decode(payload).getBody() instanceof AmqpValue v ? v.getValue() : null;
        try {
            if (body instanceof Declare) {
                Declared declared = new Declared();
                declared.setTxnId(o.transactions().declare());
                answer(d, declared);
            } else if (body instanceof Discharge discharge) {
                Transaction t = o.transactions().end(discharge.getTxnId());
                if (Boolean.TRUE.equals(discharge.getFail())) {
                    t.rollback();
                    answer(d, Accepted.getInstance());
                } else {
                    t.commit().whenComplete((ok, error) -> o.conn().onLoop(() -> answer(d, error == null
                            ? Accepted.getInstance() : rejected(Condition.TRANSACTION_ROLLBACK.with(
                                    "the commit failed: " + error.getMessage())))));
                }
            } else {
                answer(d, rejected(Condition.DECODE_ERROR.with("expected a declare or a discharge")));
            }
        } catch (Refusal r) {
            answer(d, rejected(r.error()));
        } catch (BrokerException e) {
            // an exchange of the commit went meanwhile: the rest is rolled back (what was routed before stays)
            answer(d, rejected(Condition.TRANSACTION_ROLLBACK.with("the commit failed: " + e.getMessage())));
        }
    }

    private void answer(Delivery d, DeliveryState state) {
        d.disposition(state);
        d.settle();
        if (link.getCredit() <= CREDIT / 2) {
            link.flow(CREDIT - link.getCredit());
        }
    }

    private static Rejected rejected(ErrorCondition error) {
        Rejected r = new Rejected();
        r.setError(error);
        return r;
    }
}
