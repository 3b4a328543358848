package dev.junction.routing.queue;

import dev.junction.routing.api.Message;
import dev.junction.routing.policy.RetryDelays;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongConsumer;

/**
 * What becomes of a message a consumer returns to the queue (nack or reject with requeue, a channel or connection
 * closed with it unacknowledged), under the queue's {@code x-delivery-limit} and {@code x-retry-delays}:
 * <ul>
 *   <li>each return counts, and a message returned more times than the delivery limit is dead-lettered with reason
 *   {@code delivery_limit} (dropped without a dead-letter exchange), as RabbitMQ's quorum queues do ("Poison
 *   Message Handling": the limit is on returns, so a limit of N allows N + 1 deliveries);</li>
 *   <li>on a queue with either argument a redelivery carries the count of earlier returns in its
 *   {@code x-delivery-count} header, as quorum queues set it; other queues deliver the message unchanged;</li>
 *   <li>with retry delays (Junction's own) a returned message waits out the delay of its attempt in a side heap
 *   ordered by due time, so it blocks nothing behind it, and then goes back to its original place in the queue.
 *   One {@link MailboxTimer} is armed for the earliest due message.</li>
 * </ul>
 * The count lives in the queue entry, in memory: after a restart a stored message starts counting again (see
 * docs/patterns.md). A queue makes this part on the first return under either argument, so other queues pay
 * nothing for it. Used on the queue's thread only.
 */
final class Redeliveries {
    /** The header RabbitMQ's quorum queues put on a redelivery: the returns so far. */
    static final String DELIVERY_COUNT = "x-delivery-count";

    private record Waiting(long dueAt, QueueEntry entry) {
    }

    private final EffectiveArguments args;
    private final ReadyMessages ready;
    private final Departures departures;
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>((a, b) -> a.dueAt != b.dueAt
            ? Long.compare(a.dueAt, b.dueAt) : Long.compare(a.entry.seq, b.entry.seq));
    private final MailboxTimer timer;

    /** {@code released} runs (on the mailbox) after waiting messages went back to the queue: deliver them. */
    Redeliveries(EffectiveArguments args, ReadyMessages ready, Departures departures,
                 ScheduledExecutorService timers, Executor mailbox, Runnable released) {
        this.args = args;
        this.ready = ready;
        this.departures = departures;
        this.timer = new MailboxTimer(timers, mailbox, () -> {
            if (releaseDue(System.currentTimeMillis())) {
                released.run();
            }
        });
    }

    /** The message to deliver for {@code e}: with {@code x-delivery-count} when it was returned before. */
    static Message stamped(QueueEntry e, QueueArguments a) {
        if (e.deliveryCount == 0 || !applies(a)) {
            return e.message;
        }
        return e.message.withProperties(e.message.properties().toBuilder()
                .header(DELIVERY_COUNT, (long) e.deliveryCount).build());
    }

    /** Whether a queue with arguments {@code a} needs this part at all (most do not: it is made when one does). */
    static boolean applies(QueueArguments a) {
        return a.deliveryLimit() != null || a.retryDelays() != null;
    }

    /**
     * A consumer returned {@code e}: true when it was dealt with here (dead-lettered past the limit, or waiting
     * out a retry delay), false when the caller requeues it at once. Every delivery of an entry ends in a return
     * until the last, so its delivery count is its number of returns, this one included.
     */
    boolean returned(QueueEntry e, long now) {
        QueueArguments a = args.now();
        int returns = e.deliveryCount;
        if (a.deliveryLimit() != null && returns > a.deliveryLimit()) {
            departures.deadLetter(e.message, DeadLetters.DELIVERY_LIMIT, now);
            departures.forget(e);
            return true;
        }
        RetryDelays delays = a.retryDelays();
        long delay = delays == null ? 0 : delays.delayFor(returns);
        if (delay <= 0) {
            return false;
        }
        waiting.add(new Waiting(now + delay, e));
        timer.armAt(waiting.peek().dueAt);
        return true;
    }

    /** Moves every message whose delay is over back into the queue; true when any went. */
    boolean releaseDue(long now) {
        boolean any = false;
        while (!waiting.isEmpty() && waiting.peek().dueAt <= now) {
            ready.requeue(waiting.poll().entry);
            any = true;
        }
        if (!waiting.isEmpty()) {
            timer.armAt(waiting.peek().dueAt);
        }
        return any;
    }

    /** Messages waiting out a retry delay. */
    int waitingCount() {
        return waiting.size();
    }

    /** The queue is deleted: the waiting messages let go of their store references. */
    void releaseAll(LongConsumer storeIds) {
        timer.cancel();
        for (Waiting w : waiting) {
            storeIds.accept(w.entry.storeId);
        }
        waiting.clear();
    }
}
