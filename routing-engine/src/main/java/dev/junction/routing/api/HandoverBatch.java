package dev.junction.routing.api;

import java.util.ArrayList;

/**
 * Wake-ups held back while one thread hands over a batch of work: an adapter handling the frames of one socket read
 * (a burst of publishes, a run of acknowledgements), or a queue running a batch of its mailbox (a burst of
 * deliveries). A queue's mailbox or a connection's owner thread that needs waking while a batch is open on this
 * thread is woken once, when the batch closes, instead of once per message: the thread woken then finds the whole
 * burst waiting, and drains it in one go (for a connection: one write and one flush for the burst). Nothing is
 * reordered, as the work itself is queued at once; only the wake-up waits, and never past the end of the batch.
 * Batches nest; the outermost close wakes. Open and close on the same thread:
 * <pre>{@code
 * HandoverBatch.open();
 * try {
 *     ctx.fireChannelRead(msg); // publishes, acknowledgements
 * } finally {
 *     HandoverBatch.close();
 * }
 * }</pre>
 */
public final class HandoverBatch {
    private static final ThreadLocal<HandoverBatch> CURRENT = ThreadLocal.withInitial(HandoverBatch::new);

    private final ArrayList<Runnable> held = new ArrayList<>();
    private int depth;

    private HandoverBatch() {
    }

    /** Opens a batch on this thread. */
    public static void open() {
        CURRENT.get().depth++;
    }

    /** Closes the batch opened last on this thread; the outermost close runs the wake-ups held, in order. */
    public static void close() {
        HandoverBatch b = CURRENT.get();
        if (b.depth > 1) {
            b.depth--;
            return;
        }
        // The batch stays open while the wake-ups run: one made meanwhile (by a wake-up that hands over work of its
        // own) joins the end of this run instead of starting another.
        RuntimeException failed = null;
        try {
            for (int i = 0; i < b.held.size(); i++) {
                try {
                    b.held.get(i).run();
                } catch (RuntimeException e) {
                    // Every other wake-up still runs: what they wake holds work already handed over.
                    if (failed == null) {
                        failed = e;
                    }
                }
            }
        } finally {
            b.held.clear();
            b.depth = 0;
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * For the engine's mailboxes and handoffs: runs {@code wake} now when no batch is open on this thread, else when
     * the batch closes. {@code wake} must only start work on another thread (never wait for it).
     */
    public static void wake(Runnable wake) {
        HandoverBatch b = CURRENT.get();
        if (b.depth == 0) {
            wake.run();
        } else {
            b.held.add(wake);
        }
    }
}
