package dev.junction.routing.queue;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Takes a queue's arriving messages, hands its ready messages to its consumers and takes back what they settle. An
 * arriving message is refused as a duplicate ({@link QueueDeduplication}) or over a {@code reject-publish} length
 * limit (dead-lettered under {@code reject-publish-dlx}), handed at once to a consumer that can take it when it
 * expired on arrival (a TTL of 0, as in RabbitMQ) or else departs as expired, and otherwise joins the ready
 * messages. Delivery goes from the head
 * of the {@link ReadyMessages} to the consumer the {@link ConsumerSet} picks (priority, round-robin, credit);
 * a delivery that is not settled on send waits in {@link Unacked} under its delivery id until it is acknowledged,
 * requeued to its original position or discarded (dead-lettered as {@code rejected}). Used on the queue's thread
 * only.
 */
final class Dispatch {
    private final Queue queue;
    private final QueueHost host;
    private final EffectiveArguments args;
    private final ReadyMessages ready;
    private final Departures departures;
    private final ConsumerSet consumers;
    private final Unacked unacked = new Unacked();
    private final PublisherBrake brake;
    private final Executor mailbox;
    /** Made on the first return under x-delivery-limit or x-retry-delays; null on most queues. */
    private Redeliveries redeliveries;
    private long nextDeliveryId = 1;

    Dispatch(Queue queue, QueueHost host, EffectiveArguments args, ReadyMessages ready, Departures departures,
             ConsumerSet consumers, PublisherBrake brake, Executor mailbox) {
        this.brake = brake;
        this.mailbox = mailbox;
        this.queue = queue;
        this.host = host;
        this.args = args;
        this.ready = ready;
        this.departures = departures;
        this.consumers = consumers;
    }

    /** What became of an arriving message ({@link #arrive}); the queue answers the publisher from it. */
    enum Arrival {
        /** Taken (queued, delivered or expired): the queue's counts changed, the publisher is confirmed. */
        TAKEN,
        /** A duplicate: confirmed without being queued, so a publisher retrying a lost confirm leaves one copy. */
        DUPLICATE,
        /** Refused by a {@code reject-publish} length limit: the publisher is told so. */
        REFUSED
    }

    /**
     * Takes a routed {@code message} at {@code now}: {@code storeId} is its id in the store for this queue (else 0),
     * {@code matched} the bindings that routed it (null: not known).
     */
    Arrival arrive(Message message, long storeId, boolean redelivered, List<Binding> matched, long now) {
        if (departures.duplicate(message)) {
            departures.forget(storeId);
            return Arrival.DUPLICATE;
        }
        QueueArguments a = args.now();
        if (a.overflow() != Overflow.DROP_HEAD && a.overLimit(ready.count() + 1, ready.bytes() + message.bodySize())) {
            departures.forget(storeId);
            departures.dropped(DeadLetters.MAXLEN);
            if (a.overflow() == Overflow.REJECT_PUBLISH_DLX) {
                departures.deadLetter(message, DeadLetters.MAXLEN, now);
            }
            return Arrival.REFUSED;
        }
        QueueEntry entry = new QueueEntry(message, ready.nextSeq(), storeId, a.priorityOf(message),
                a.expiryOf(message, now), redelivered, matched);
        if (entry.expired(now)) {
            // A TTL of 0 still reaches a consumer that can take the message at once, as in RabbitMQ.
            Consumer c = ready.isEmpty() && !consumers.isEmpty() ? consumers.pick(entry.message, entry.size()) : null;
            if (c != null) {
                hand(c, entry, autoAcked(c, entry));
            } else {
                departures.expire(entry, now);
            }
            return Arrival.TAKEN;
        }
        queue.stats().arrived(redelivered, now);
        ready.add(entry);
        deliverReady(now);
        ready.dropHeadOverLimit(now);
        return Arrival.TAKEN;
    }

    /** Delivered and unsettled, and returned messages waiting out a retry delay (not ready yet either). */
    int unackedCount() {
        return unacked.size() + (redeliveries == null ? 0 : redeliveries.waitingCount());
    }

    /** Delivers from the head while a consumer can take it; expired heads met on the way depart as expired. */
    void deliverReady(long now) {
        QueueEntry head;
        while ((head = ready.head()) != null) {
            if (head.expired(now)) {
                ready.poll();
                departures.expire(head, now);
                continue;
            }
            if (consumers.isEmpty()) {
                return;
            }
            Consumer c = consumers.pick(head.message, head.size());
            if (c == null) {
                return;
            }
            ready.poll();
            hand(c, head, autoAcked(c, head));
        }
    }

    /** Whether a delivery of {@code e} to {@code c} is settled as it is sent (no-ack, or the sink says so). */
    static boolean autoAcked(Consumer c, QueueEntry e) {
        return c.autoAck() || c.sink().settlesOnSend(e.message);
    }

    /** Delivers {@code e} (already taken from the ready messages) to {@code c}, or to a get when it is null. */
    Delivery hand(Consumer c, QueueEntry e, boolean autoAck) {
        Message m = Redeliveries.stamped(e, args.now());
        e.deliveryCount++;
        long id = nextDeliveryId++;
        Delivery d = new Delivery(queue, id, m, e.redelivered, e.deliveryCount, autoAck, ready.count(),
                e.matched);
        if (autoAck) {
            departures.forget(e);
        } else {
            unacked.add(id, e, c);
        }
        host.metrics().delivered(1);
        queue.stats().handed(c != null, autoAck, e.redelivered);
        if (c != null) {
            brake.delivered();
            c.sink().deliver(d);
        }
        return d;
    }

    /**
     * Settles deliveries by id; unknown ids (already settled, or from before a purge) are ignored. A deleted queue
     * ({@code deleted}) takes nothing back and delivers nothing more.
     */
    void settle(long[] deliveryIds, Settlement how, boolean deleted, long now) {
        int acked = 0;
        boolean requeued = false;
        for (long id : deliveryIds) {
            QueueEntry e = unacked.settle(id);
            if (e == null) {
                continue;
            }
            switch (how) {
                case ACK -> {
                    departures.forget(e);
                    acked++;
                }
                case REQUEUE -> {
                    e.redelivered = true;
                    if (!deleted && !returned(e, now)) {
                        ready.requeue(e);
                        requeued = true;
                    }
                }
                case RELEASE -> {
                    e.deliveryCount--; // this delivery does not count: the message is as it was before it
                    e.redelivered = true;
                    if (!deleted) {
                        ready.requeue(e);
                        requeued = true;
                    }
                }
                case DISCARD -> {
                    departures.deadLetter(e.message, DeadLetters.REJECTED, now);
                    departures.forget(e);
                }
            }
        }
        host.metrics().acked(acked);
        queue.stats().acked(acked);
        if (requeued && args.now().overflow() == Overflow.DROP_HEAD) {
            // The length limit holds after a requeue too: the head goes (dead-lettered as maxlen), as on
            // publish [RabbitMQ: maybe_drop_head after requeue; reject-publish queues only refuse publishes].
            ready.dropHeadOverLimit(now);
        }
        if (!deleted) {
            deliverReady(now);
        }
    }

    /** The queue is deleted: every unacknowledged message lets go of its store reference. */
    void releaseAll(StoreRemovals removals) {
        unacked.releaseAll(removals);
        if (redeliveries != null) {
            redeliveries.releaseAll(removals);
        }
    }

    /** {@link Redeliveries#returned}, when the queue has a part for it or needs one now. */
    private boolean returned(QueueEntry e, long now) {
        if (redeliveries == null) {
            if (!Redeliveries.applies(args.now())) {
                return false;
            }
            redeliveries = new Redeliveries(args, ready, departures, host.timers(), mailbox, queue::kick);
        }
        return redeliveries.returned(e, now);
    }
}
