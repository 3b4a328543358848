package dev.junction.routing.queue;

import dev.junction.storage.IdPage;
import dev.junction.storage.StoredMessage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A queue's ready messages, wherever they are: the in-memory window ({@link ReadyList}) and the paged-out backlog
 * ({@link Pager}) behind it, read back as the window drains. Counts and limits apply to both together; the head is
 * always the window's, refilled from the backlog first. Also removes heads that expired (TTL) or that a
 * {@code drop-head} length limit pushes out, through the queue's {@link Departures}. Used on the queue's thread only,
 * except {@link #unlinked()}.
 */
final class ReadyMessages {
    private final QueueHost host;
    private final EffectiveArguments args;
    private final Departures departures;
    private final ReadyList window;
    private final Pager pager;
    /** The queue's kick: tries delivery again once a failed backlog read may be retried. */
    private final Runnable retry;
    private long nextSeq = 1;
    /** Set by the vhost's thread when it removed the queue and its store references: stop reading the backlog. */
    private volatile boolean unlinked;
    // What a refill of the window needs, made once: head() runs for every delivery.
    private final LongSupplier sequence = this::nextSeq;
    private final Pager.Expiry expiry;
    private final LongConsumer retryLater;

    ReadyMessages(QueueHost host, EffectiveArguments args, Departures departures, Pager pager, Runnable retry) {
        this.host = host;
        this.args = args;
        this.departures = departures;
        this.window = new ReadyList(args.declared().maxPriority());
        this.pager = pager;
        this.retry = retry;
        this.expiry = (m, at) -> args.now().expiryOf(m, at);
        this.retryLater = retryIn -> host.timers().schedule(retry, retryIn, TimeUnit.MILLISECONDS);
    }

    /** The sequence number of the next message taken, which orders messages of equal priority. */
    long nextSeq() {
        return nextSeq++;
    }

    /** Restores stored messages at start-up (see {@link Pager#restore}); {@code enqueue} takes those read now. */
    void restore(IdPage page, long now, Consumer<StoredMessage> enqueue) {
        // Stored messages were let in when published: none is refused as a duplicate now (a policy may have turned
        // deduplication on after two messages of one key were queued).
        departures.restoring(true);
        try {
            pager.restore(page, now, args.now().maxLengthBytes() != null || departures.deduplicates(), enqueue);
        } finally {
            departures.restoring(false);
        }
    }

    /** Takes a new message: into the window, or into the backlog when the window is full (durable queues). */
    void add(QueueEntry e) {
        departures.entered(e);
        if (pager.pagesOut(window, e.storeId)) {
            pager.pageOut(e);
        } else {
            window.add(e);
        }
    }

    void requeue(QueueEntry e) {
        window.requeue(e);
    }

    /** The next ready message, paging the window in from the backlog when it runs low. */
    QueueEntry head() {
        if (!unlinked) {
            pager.fill(window, sequence, expiry, retryLater);
        }
        return window.peek();
    }

    /** The window's head without refilling it: what the TTL timer is armed for. */
    QueueEntry windowHead() {
        return window.peek();
    }

    /** Removes the head returned by the last {@link #head()}. */
    QueueEntry poll() {
        return window.poll();
    }

    boolean isEmpty() {
        return window.isEmpty() && pager.isEmpty();
    }

    int count() {
        return window.count() + pager.count();
    }

    long bytes() {
        return window.bytes() + pager.bytes();
    }

    /** Ready messages whose bodies are on disk only. */
    int pagedCount() {
        return pager.count();
    }

    /** Drops expired heads; they depart as {@code expired} (counted, dead-lettered when configured). */
    void expireHeads(long now) {
        QueueEntry e;
        while ((e = head()) != null && e.expired(now)) {
            window.poll();
            departures.expire(e, now);
        }
    }

    /**
     * Under {@code drop-head}, drops the oldest of the lowest priority while over the limit, as {@code maxlen}. Under
     * {@code reject-publish} a queue a policy put over its limit keeps its messages and refuses new ones, as in
     * RabbitMQ (maybe_drop_head drops for drop-head only).
     */
    void dropHeadOverLimit(long now) {
        QueueArguments a = args.now();
        while (a.overflow() == Overflow.DROP_HEAD && head() != null && a.overLimit(count(), bytes())) {
            QueueEntry dropped = window.pollOldestLowest();
            departures.dropped(DeadLetters.MAXLEN);
            departures.deadLetter(dropped.message, DeadLetters.MAXLEN, now);
            departures.forget(dropped);
        }
    }

    /** Removes every ready message, in memory and paged out, handing their store ids to {@code removals}. */
    StoreRemovals dropAll(StoreRemovals removals) {
        window.drain(e -> removals.accept(e.storeId));
        departures.purged();
        pager.clear(removals);
        return removals;
    }

    /** The vhost removed the queue and its store references: stop reading the backlog back (delete follows). */
    void unlinked() {
        unlinked = true;
    }
}
