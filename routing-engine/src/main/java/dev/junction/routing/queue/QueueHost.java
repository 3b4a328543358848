package dev.junction.routing.queue;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.storage.MessageStore;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** What a queue needs from the virtual host that owns it. */
public interface QueueHost {

    String vhostName();

    MessageStore store();

    /** The pool queue mailboxes run on. */
    Executor pool();

    ScheduledExecutorService timers();

    QueueMetrics metrics();

    /** How much of a durable queue stays in memory. */
    Paging paging();

    /** The highest message id stored before this start: such messages count as possibly delivered before. */
    long recoveredUpTo();

    /** Routes a dead-lettered message through {@code exchange}; drops it when the exchange is missing. */
    void deadLetter(Message message, String exchange, String reason);

    /**
     * The queue's bindings whose exchanges match {@code message} by its own routing key or headers, in no particular
     * order: what a delivery reports as {@code matched()} when its entry no longer knows. Any thread.
     */
    List<Binding> bindingsMatching(Queue queue, Message message);

    /** The queue is auto-delete and lost its last consumer, or its x-expires period passed unused. */
    void queueUnused(Queue queue);

    /**
     * The counts of {@code queue} when they are kept elsewhere than in its object (a quorum queue in a cluster,
     * whose messages and consumers are in its replicated log), or null: the queue counts its own.
     */
    default QueueCounts countsElsewhere(Queue queue) {
        return null;
    }
}
