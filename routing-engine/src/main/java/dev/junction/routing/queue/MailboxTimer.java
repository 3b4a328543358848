package dev.junction.routing.queue;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer whose task runs in a queue's mailbox, so it touches queue state like any other task. Arming it
 * again for a later time than it is set for is a no-op; for an earlier time it moves. Mailbox-thread only.
 */
final class MailboxTimer {
    private final ScheduledExecutorService timers;
    private final Executor mailbox;
    private final Runnable task;
    private ScheduledFuture<?> pending;
    private long at = Long.MAX_VALUE;

    MailboxTimer(ScheduledExecutorService timers, Executor mailbox, Runnable task) {
        this.timers = timers;
        this.mailbox = mailbox;
        this.task = task;
    }

    /** Runs the task at {@code when} (epoch millis) unless it is already set to run earlier. */
    void armAt(long when) {
        if (when == Long.MAX_VALUE || when >= at) {
            return;
        }
        cancel();
        at = when;
        long delay = Math.max(0, when - System.currentTimeMillis());
        pending = timers.schedule(() -> mailbox.execute(() -> {
            at = Long.MAX_VALUE;
            pending = null;
            task.run();
        }), delay, TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        at = Long.MAX_VALUE;
    }
}
