package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A channel's unacknowledged deliveries by delivery tag, and the settlements of its open transaction. Rules:
 * <ul>
 *   <li>a tag is outstanding from the delivery (or get-ok) that carried it until an ack, nack or reject names it;
 *   naming one that is not outstanding is 406 PRECONDITION_FAILED [AMQP 0-9-1 basic.ack delivery-tag];</li>
 *   <li>inside a transaction the check happens when the settlement arrives, and the tag stops being outstanding
 *   then (a second ack is refused at once, basic.recover leaves it alone); the queues hear of it at tx.commit, and
 *   tx.rollback makes it outstanding again, as in RabbitMQ;</li>
 *   <li>whatever is outstanding or pending when the channel goes is requeued, and so is a delivery recorded after
 *   that: a get the queue answered once the connection was gone (a quorum queue's get waits for its log) would
 *   otherwise stay unacknowledged in its queue with no channel left to settle or requeue it.</li>
 * </ul>
 * Event-loop only.
 */
final class Outstanding implements AckTimeout.Deadlines {
    /** A delivery settled inside an open transaction. */
    private record Delivered(DeliverySource source, long deliveryId, long deadline, long timeoutMs) {
    }

    private record Pending(long tag, Delivered delivery, Settlement how) {
    }

    private final UnackedTags unacked = new UnackedTags();
    private final List<Pending> inTransaction = new ArrayList<>();
    /** Where settlements outside a transaction go: the connection passes them on per read batch. */
    private final Settlements settlements;
    /** Set once the channel went ({@link #release}). */
    private boolean released;

    Outstanding(Settlements settlements) {
        this.settlements = settlements;
    }

    /** {@code timeoutMs}: the acknowledgement timeout that applies (0: none); returns the delivery's deadline. */
    long delivered(long tag, DeliverySource source, long deliveryId, long timeoutMs) {
        if (released) {
            source.settle(new long[] {deliveryId}, Settlement.REQUEUE);
            return Long.MAX_VALUE;
        }
        long deadline = timeoutMs > 0 ? System.currentTimeMillis() + timeoutMs : Long.MAX_VALUE;
        unacked.add(tag, source, deliveryId, deadline, timeoutMs);
        return deadline;
    }

    @Override
    public long overdue(long now) {
        for (int i = unacked.head(); i < unacked.tail(); i++) {
            if (unacked.live(i) && unacked.deadline(i) <= now) {
                return unacked.timeoutMs(i);
            }
        }
        return 0;
    }

    @Override
    public long earliest() {
        long earliest = Long.MAX_VALUE;
        for (int i = unacked.head(); i < unacked.tail(); i++) {
            if (unacked.live(i)) {
                earliest = Math.min(earliest, unacked.deadline(i));
            }
        }
        return earliest;
    }

    /** basic.ack, nack or reject of {@code tag} ({@code multiple}: every outstanding tag up to it; 0: all). */
    void settle(Method m, long tag, boolean multiple, Settlement how, boolean transactional) {
        if (!multiple) {
            int i = unacked.indexOf(tag);
            if (i < 0) {
                throw unknownTag(m, tag);
            }
            check(m, i, how, transactional);
            take(i, how, transactional);
            return;
        }
        int from = unacked.head();
        int to = tag == 0 ? unacked.tail() : unacked.upTo(tag);
        boolean any = false;
        for (int i = from; i < to && !any; i++) {
            any = unacked.live(i);
        }
        if (tag != 0 && !any) {
            throw unknownTag(m, tag);
        }
        for (int i = from; i < to; i++) {
            if (unacked.live(i)) {
                check(m, i, how, transactional);
            }
        }
        for (int i = from; i < to; i++) {
            if (unacked.live(i)) {
                take(i, how, transactional);
            }
        }
    }

    /**
     * Whether the delivery's queue takes {@code how} (a stream takes only acks: RabbitMQ 3.10 closes the connection
     * with 540 for a nack or reject); inside a transaction RabbitMQ refuses it at tx.commit, so it is checked there.
     */
    private void check(Method m, int i, Settlement how, boolean transactional) {
        if (how == Settlement.ACK || transactional) {
            return;
        }
        try {
            unacked.source(i).checkSettlement(how);
        } catch (BrokerException e) {
            throw AmqpChannel.translate(e, m);
        }
    }

    private void take(int i, Settlement how, boolean transactional) {
        if (transactional) {
            inTransaction.add(new Pending(unacked.tag(i), new Delivered(unacked.source(i), unacked.deliveryId(i),
                    unacked.deadline(i), unacked.timeoutMs(i)), how));
        } else {
            settlements.add(unacked.source(i), unacked.deliveryId(i), how);
        }
        unacked.remove(i);
    }

    /** tx.commit: the transaction's settlements reach their queues, unless one of them refuses its kind. */
    void commit() {
        for (Pending p : inTransaction) {
            try {
                p.delivery.source.checkSettlement(p.how);
            } catch (BrokerException e) {
                throw AmqpChannel.translate(e, MethodType.TX_COMMIT);
            }
        }
        for (Settlement how : Settlement.values()) {
            List<Delivered> chosen = new ArrayList<>();
            for (Pending p : inTransaction) {
                if (p.how == how) {
                    chosen.add(p.delivery);
                }
            }
            settleInQueues(chosen, how);
        }
        inTransaction.clear();
    }

    /** tx.rollback: the transaction's settlements are forgotten; their deliveries are outstanding again. */
    void rollback() {
        for (Pending p : inTransaction) {
            Delivered d = p.delivery;
            unacked.add(p.tag, d.source, d.deliveryId, d.deadline, d.timeoutMs);
        }
        inTransaction.clear();
    }

    /** basic.recover: every outstanding delivery goes back to its queue (settled-in-transaction ones stay out). */
    void requeueAll() {
        List<Delivered> all = new ArrayList<>(unacked.size());
        for (int i = unacked.head(); i < unacked.tail(); i++) {
            if (unacked.live(i)) {
                all.add(new Delivered(unacked.source(i), unacked.deliveryId(i), 0, 0));
            }
        }
        unacked.clear();
        settleInQueues(all, Settlement.REQUEUE);
    }

    /** The channel goes: everything not committed is requeued. */
    void release() {
        released = true;
        rollback();
        requeueAll();
    }

    private static AmqpException unknownTag(Method m, long tag) {
        return AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag "
                + tag, m.type());
    }

    private void settleInQueues(List<Delivered> chosen, Settlement how) {
        settlements.flush(); // what this channel settled before goes first
        Map<DeliverySource, List<Long>> bySource = new HashMap<>();
        for (Delivered d : chosen) {
            bySource.computeIfAbsent(d.source, s -> new ArrayList<>()).add(d.deliveryId);
        }
        bySource.forEach((s, ids) -> s.settle(ids.stream().mapToLong(Long::longValue).toArray(), how));
    }

    /** How many delivery tags are outstanding (the channel's unacknowledged deliveries). */
    int unackedCount() {
        return unacked.size();
    }
}
