package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A channel's unacknowledged deliveries by delivery tag, and the settlements of its open transaction. Rules:
 * <ul>
 *   <li>a tag is outstanding from the delivery (or get-ok) that carried it until an ack, nack or reject names it;
 *   naming one that is not outstanding is 406 PRECONDITION_FAILED [AMQP 0-9-1 basic.ack delivery-tag];</li>
 *   <li>inside a transaction the check happens when the settlement arrives, and the tag stops being outstanding
 *   then (a second ack is refused at once, basic.recover leaves it alone); the queues hear of it at tx.commit, and
 *   tx.rollback makes it outstanding again, as in RabbitMQ;</li>
 *   <li>whatever is outstanding or pending when the channel goes is requeued.</li>
 * </ul>
 * Event-loop only.
 */
final class Outstanding implements AckTimeout.Deadlines {
    /** {@code deadline}: when the acknowledgement timeout of {@code timeoutMs} runs out (MAX_VALUE: never). */
    private record Delivered(DeliverySource source, long deliveryId, long deadline, long timeoutMs) {
    }

    private record Pending(long tag, Delivered delivery, Settlement how) {
    }

    private final NavigableMap<Long, Delivered> unacked = new TreeMap<>();
    private final List<Pending> inTransaction = new ArrayList<>();

    /** {@code timeoutMs}: the acknowledgement timeout that applies (0: none); returns the delivery's deadline. */
    long delivered(long tag, DeliverySource source, long deliveryId, long timeoutMs) {
        long deadline = timeoutMs > 0 ? System.currentTimeMillis() + timeoutMs : Long.MAX_VALUE;
        unacked.put(tag, new Delivered(source, deliveryId, deadline, timeoutMs));
        return deadline;
    }

    @Override
    public long overdue(long now) {
        for (Delivered d : unacked.values()) {
            if (d.deadline <= now) {
                return d.timeoutMs;
            }
        }
        return 0;
    }

    @Override
    public long earliest() {
        long earliest = Long.MAX_VALUE;
        for (Delivered d : unacked.values()) {
            earliest = Math.min(earliest, d.deadline);
        }
        return earliest;
    }

    /** basic.ack, nack or reject of {@code tag} ({@code multiple}: every outstanding tag up to it; 0: all). */
    void settle(Method m, long tag, boolean multiple, Settlement how, boolean transactional) {
        List<Long> tags;
        if (multiple) {
            NavigableMap<Long, Delivered> head = tag == 0 ? unacked : unacked.headMap(tag, true);
            if (tag != 0 && !unacked.containsKey(tag) && head.isEmpty()) {
                throw unknownTag(m, tag);
            }
            tags = new ArrayList<>(head.keySet());
        } else {
            if (!unacked.containsKey(tag)) {
                throw unknownTag(m, tag);
            }
            tags = List.of(tag);
        }
        if (transactional) {
            for (Long t : tags) {
                inTransaction.add(new Pending(t, unacked.remove(t), how));
            }
            return;
        }
        List<Delivered> chosen = new ArrayList<>(tags.size());
        for (Long t : tags) {
            chosen.add(unacked.remove(t));
        }
        settleInQueues(chosen, how);
    }

    /** tx.commit: the transaction's settlements reach their queues. */
    void commit() {
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
            unacked.put(p.tag, p.delivery);
        }
        inTransaction.clear();
    }

    /** basic.recover: every outstanding delivery goes back to its queue (settled-in-transaction ones stay out). */
    void requeueAll() {
        List<Delivered> all = new ArrayList<>(unacked.values());
        unacked.clear();
        settleInQueues(all, Settlement.REQUEUE);
    }

    /** The channel goes: everything not committed is requeued. */
    void release() {
        rollback();
        requeueAll();
    }

    private static AmqpException unknownTag(Method m, long tag) {
        return AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag "
                + tag, m.type());
    }

    private static void settleInQueues(List<Delivered> chosen, Settlement how) {
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
