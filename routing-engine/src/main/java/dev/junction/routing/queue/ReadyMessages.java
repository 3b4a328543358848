package dev.junction.routing.queue;

import dev.junction.storage.IdPage;
import dev.junction.storage.QueueKey;
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
 *
 * <p>Both parts are made when first needed: the window with the first message, the pager with the first message the
 * store holds for a durable queue (or its restore at start). An idle queue, and any transient one such as a clean MQTT
 * session's, never builds a pager, and an empty one holds no window.
 */
final class ReadyMessages {
    private final QueueHost host;
    private final EffectiveArguments args;
    private final Departures departures;
    private final QueueKey key;
    private final boolean durable;
    /** Made with the first message; null while the queue never had one. */
    private ReadyList window;
    /** Made with the first stored message of a durable queue, or its restore; null on transient queues. */
    private Pager pager;
    /** The queue's kick: tries delivery again once a failed backlog read may be retried. */
    private final Runnable retry;
    private long nextSeq = 1;
    /** Set by the vhost's thread when it removed the queue and its store references: stop reading the backlog. */
    private volatile boolean unlinked;
    // What a refill of the window needs, made with the pager: head() runs for every delivery.
    private LongSupplier sequence;
    private Pager.Expiry expiry;
    private LongConsumer retryLater;

    ReadyMessages(QueueHost host, QueueKey key, boolean durable, EffectiveArguments args, Departures departures,
                  Runnable retry) {
        this.host = host;
        this.key = key;
        this.durable = durable;
        this.args = args;
        this.departures = departures;
        this.retry = retry;
    }

    private ReadyList window() {
        if (window == null) {
            window = new ReadyList(args.declared().maxPriority());
        }
        return window;
    }

    private Pager pager() {
        if (pager == null) {
            pager = new Pager(host, key, durable, args);
            sequence = this::nextSeq;
            expiry = (m, at) -> args.now().expiryOf(m, at);
            retryLater = retryIn -> host.timers().schedule(retry, retryIn, TimeUnit.MILLISECONDS);
        }
        return pager;
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
            pager().restore(page, now, args.now().maxLengthBytes() != null || departures.deduplicates(), enqueue);
        } finally {
            departures.restoring(false);
        }
    }

    /** Takes a new message: into the window, or into the backlog when the window is full (durable queues). */
    void add(QueueEntry e) {
        departures.entered(e);
        // Only a message the store holds can start a backlog (Pager#pagesOut): a transient queue never has a pager.
        if ((pager != null || (durable && e.storeId != 0)) && pager().pagesOut(window(), e.storeId)) {
            pager.pageOut(e);
        } else {
            window().add(e);
        }
    }

    void requeue(QueueEntry e) {
        window().requeue(e);
    }

    /** The next ready message, paging the window in from the backlog when it runs low. */
    QueueEntry head() {
        if (!unlinked && pager != null && !pager.isEmpty()) {
            pager.fill(window(), sequence, expiry, retryLater);
        }
        return window == null ? null : window.peek();
    }

    /** The window's head without refilling it: what the TTL timer is armed for. */
    QueueEntry windowHead() {
        return window == null ? null : window.peek();
    }

    /** Removes the head returned by the last {@link #head()}. */
    QueueEntry poll() {
        return window == null ? null : window.poll();
    }

    boolean isEmpty() {
        return count() == 0;
    }

    int count() {
        return (window == null ? 0 : window.count()) + pagedCount();
    }

    long bytes() {
        return (window == null ? 0 : window.bytes()) + (pager == null ? 0 : pager.bytes());
    }

    /** Ready messages whose bodies are on disk only. */
    int pagedCount() {
        return pager == null ? 0 : pager.count();
    }

    /** Drops expired heads; they depart as {@code expired} (counted, dead-lettered when configured). */
    void expireHeads(long now) {
        QueueEntry e;
        while ((e = head()) != null && e.expired(now)) {
            poll();
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
            QueueEntry dropped = window().pollOldestLowest();
            departures.dropped(DeadLetters.MAXLEN);
            departures.deadLetter(dropped.message, DeadLetters.MAXLEN, now);
            departures.forget(dropped);
        }
    }

    /** Removes every ready message, in memory and paged out, handing their store ids to {@code removals}. */
    StoreRemovals dropAll(StoreRemovals removals) {
        if (window != null) {
            window.drain(e -> removals.accept(e.storeId));
        }
        departures.purged();
        if (pager != null) {
            pager.clear(removals);
        }
        return removals;
    }

    /** The vhost removed the queue and its store references: stop reading the backlog back (delete follows). */
    void unlinked() {
        unlinked = true;
    }
}
