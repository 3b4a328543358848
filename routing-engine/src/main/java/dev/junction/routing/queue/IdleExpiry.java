package dev.junction.routing.queue;

import dev.junction.routing.SerialExecutor;
import java.util.function.BooleanSupplier;

/**
 * {@code x-expires}: a queue that has had no consumer, no get and no redeclare for its expiry period is deleted.
 * The period is read when the timer is armed and when it fires, so a policy that changes it takes effect at the next
 * {@link #schedule()}. Owned by the queue's thread.
 */
final class IdleExpiry {
    private final EffectiveArguments arguments;
    private final QueueHost host;
    private final SerialExecutor mailbox;
    /** Made when the queue first has an expiry period to time: most queues (MQTT sessions') never have one. */
    private MailboxTimer timer;
    private final BooleanSupplier idle;
    private final Runnable expired;
    private long lastUsed = System.currentTimeMillis();

    /**
     * @param idle    whether the queue may expire now (not deleted, no consumers)
     * @param expired called on the queue's thread once the period has passed while idle
     */
    IdleExpiry(QueueHost host, SerialExecutor mailbox, EffectiveArguments arguments, BooleanSupplier idle,
               Runnable expired) {
        this.host = host;
        this.mailbox = mailbox;
        this.arguments = arguments;
        this.idle = idle;
        this.expired = expired;
    }

    /** The queue was used: its period starts again. */
    void used() {
        lastUsed = System.currentTimeMillis();
    }

    /** Arms the timer for the end of the period, when the queue has expiry and is idle. */
    void schedule() {
        Long period = arguments.now().expires();
        if (period == null) {
            cancel(); // a policy took the expiry away
        } else if (idle.getAsBoolean()) {
            if (timer == null) {
                timer = new MailboxTimer(host.timers(), mailbox, this::due);
            }
            timer.cancel();
            timer.armAt(lastUsed + period);
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
        }
    }

    private void due() {
        Long period = arguments.now().expires();
        if (period == null || !idle.getAsBoolean()) {
            return;
        }
        if (System.currentTimeMillis() >= lastUsed + period) {
            expired.run();
        } else {
            schedule();
        }
    }
}
