package dev.junction.routing.queue;

import dev.junction.routing.SerialExecutor;
import java.util.function.BooleanSupplier;

/**
 * {@code x-expires}: a queue that has had no consumer, no get and no redeclare for its expiry period is deleted.
 * Owned by the queue's thread.
 */
final class IdleExpiry {
    private final Long expires;
    private final MailboxTimer timer;
    private final BooleanSupplier idle;
    private final Runnable expired;
    private long lastUsed = System.currentTimeMillis();

    /**
     * @param idle    whether the queue may expire now (not deleted, no consumers)
     * @param expired called on the queue's thread once the period has passed while idle
     */
    IdleExpiry(QueueHost host, SerialExecutor mailbox, Long expires, BooleanSupplier idle, Runnable expired) {
        this.expires = expires;
        this.idle = idle;
        this.expired = expired;
        this.timer = new MailboxTimer(host.timers(), mailbox, this::due);
    }

    /** The queue was used: its period starts again. */
    void used() {
        lastUsed = System.currentTimeMillis();
    }

    /** Arms the timer for the end of the period, when the queue has expiry and is idle. */
    void schedule() {
        if (expires != null && idle.getAsBoolean()) {
            timer.cancel();
            timer.armAt(lastUsed + expires);
        }
    }

    void cancel() {
        timer.cancel();
    }

    private void due() {
        if (!idle.getAsBoolean()) {
            return;
        }
        if (System.currentTimeMillis() >= lastUsed + expires) {
            expired.run();
        } else {
            schedule();
        }
    }
}
