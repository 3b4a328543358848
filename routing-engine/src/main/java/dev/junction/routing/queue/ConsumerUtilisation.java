package dev.junction.routing.queue;

import java.lang.invoke.VarHandle;

/**
 * RabbitMQ's {@code consumer_utilisation} of a queue: of the time the queue had consumers, the fraction in which
 * they could take a message at once. Junction counts the consumers as busy (not utilised) while ready messages wait
 * although consumers are attached: every consumer is out of credit (prefetch, channel QoS, MQTT Receive Maximum) or
 * its connection cannot take more (a full handoff, a socket not writable). An empty queue with consumers counts as
 * utilised: a message arriving would go out at once.
 *
 * <p>The queue's thread records each change of state with {@link System#nanoTime()} (nothing is timed while the
 * state stays the same), adding up the time with consumers and the time utilised; the fields are guarded by a
 * sequence number, so the sampler thread reads them consistently without a lock. {@link #sample} turns the totals
 * into the value of the last window; only one sampler thread may call it.
 */
final class ConsumerUtilisation {
    // Written by the queue's thread, inside an odd sequence number.
    private volatile long sequence;
    private boolean withConsumers;
    private boolean waiting;
    private long since;
    private long consumedNanos;
    private long utilisedNanos;

    // The sampler's thread.
    private long lastConsumed;
    private long lastUtilised;
    private volatile double lastWindow = Double.NaN;

    /** The queue has consumers or not, and ready messages waiting or not. Queue thread. */
    void state(boolean consumers, boolean messagesWaiting) {
        if (consumers == withConsumers && messagesWaiting == waiting) {
            return;
        }
        long now = System.nanoTime();
        sequence++;
        VarHandle.storeStoreFence(); // the fields below are not written before the odd sequence is
        if (withConsumers) {
            consumedNanos += now - since;
            if (!waiting) {
                utilisedNanos += now - since;
            }
        }
        withConsumers = consumers;
        waiting = messagesWaiting;
        since = now;
        sequence++;
    }

    /** Closes the window that ends at {@code nowNanos}. Sampler thread. */
    void sample(long nowNanos) {
        long consumed;
        long utilised;
        long before;
        do {
            before = sequence;
            consumed = consumedNanos;
            utilised = utilisedNanos;
            if (withConsumers && nowNanos > since) {
                consumed += nowNanos - since;
                if (!waiting) {
                    utilised += nowNanos - since;
                }
            }
            VarHandle.loadLoadFence(); // the fields above are read before the sequence is checked again
        } while ((before & 1) != 0 || before != sequence);
        long windowConsumed = consumed - lastConsumed;
        long windowUtilised = utilised - lastUtilised;
        lastConsumed = consumed;
        lastUtilised = utilised;
        lastWindow = windowConsumed <= 0 ? Double.NaN
                : Math.min(1.0, Math.max(0.0, (double) windowUtilised / windowConsumed));
    }

    /** The fraction in the last window, NaN when the queue had no consumer in it. Any thread. */
    double lastWindow() {
        return lastWindow;
    }
}
