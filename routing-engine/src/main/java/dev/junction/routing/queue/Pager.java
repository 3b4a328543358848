package dev.junction.routing.queue;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.api.Message;
import dev.junction.storage.IdPage;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a durable queue's heap bounded: past the in-memory window ({@link Paging}), persistent messages stay in the
 * store only and wait in the {@link Backlog} as ids; they are read back a page at a time as the window drains.
 * Queues with priorities keep everything in memory, since a backlog has one order only.
 *
 * <p>Reads run on the queue's pool thread, never on an event loop. Owned by the queue's thread.
 */
final class Pager {
    private static final Logger LOG = LoggerFactory.getLogger(Pager.class);
    private static final int PAGE = 256;

    private final QueueHost host;
    private final QueueKey key;
    private final Paging paging;
    private final boolean enabled;
    private final Backlog backlog = new Backlog();
    /** Arrays for one page read back (5 KiB), kept while there is a backlog: most queues never have one. */
    private Backlog.Taken taken;
    /** When restored messages joined the backlog: their TTL counts from then, as if they were enqueued then. */
    private long restoredAt;
    /** After a failed read, no new attempt before this time, so a broken disk does not flood the log. */
    private long retryAt;
    private static final long RETRY_MILLIS = 1000;
    private static final int MAX_ATTEMPTS = 3;
    /** After a failed read, how many messages are still read back one at a time, to find the bad one. */
    private int singles;
    /** Failed reads of the single message at the front. */
    private int attempts;

    Pager(QueueHost host, QueueKey key, boolean durable, EffectiveArguments args) {
        this.host = host;
        this.key = key;
        this.paging = host.paging();
        this.enabled = durable && args.declared().maxPriority() == 0 && paging.enabled();
    }

    int count() {
        return backlog.count();
    }

    long bytes() {
        return backlog.bytes();
    }

    boolean isEmpty() {
        return backlog.isEmpty();
    }

    /**
     * Whether a new message goes to the backlog rather than the window: always while a backlog exists (to keep
     * order), and for a stored message once the window is full.
     */
    boolean pagesOut(ReadyList ready, long storeId) {
        return enabled && (!backlog.isEmpty() || (storeId != 0 && full(ready)));
    }

    void pageOut(QueueEntry e) {
        if (e.storeId != 0) {
            backlog.addStored(e.storeId, e.size(), e.expiresAt);
        } else {
            backlog.addHeld(e);
        }
    }

    /**
     * Recovery: the queue's stored messages, listed by id, join the backlog without their bodies. A queue that
     * cannot page (priorities), or that must know body sizes ({@code readNow}: x-max-length-bytes), reads them in
     * through {@code enqueue} instead, and pages them out again past the window.
     */
    void restore(IdPage page, long now, boolean readNow, java.util.function.Consumer<StoredMessage> enqueue) {
        if (!enabled || readNow) {
            readInSlices(page, enqueue);
            return;
        }
        restoredAt = now;
        for (int i = 0; i < page.size(); i++) {
            backlog.addStored(page.ids()[i], page.sizes()[i], Long.MIN_VALUE);
        }
    }

    /**
     * Refills the window from the backlog once it has drained to half. A message restored at start-up has its
     * expiry worked out when it is read back ({@code expiryOf}, from the time it was restored), as its
     * properties are not in memory before.
     */
    void fill(ReadyList ready, LongSupplier seq, Expiry expiryOf, LongConsumer retryIn) {
        if (backlog.isEmpty() || ready.count() > paging.messages() / 2 || ready.bytes() > paging.bytes() / 2) {
            return;
        }
        if (retryAt != 0 && System.currentTimeMillis() < retryAt) {
            return;
        }
        while (!backlog.isEmpty() && !full(ready)) {
            if (backlog.frontIsHeld()) {
                QueueEntry h = backlog.takeHeld();
                ready.add(new QueueEntry(h.message, seq.getAsLong(), h.storeId, h.priority, h.expiresAt,
                        h.redelivered, h.matched));
                continue;
            }
            int room = singles > 0 ? 1 : Math.max(1, Math.min(PAGE, paging.messages() - ready.count()));
            if (taken == null) {
                taken = new Backlog.Taken(PAGE);
            }
            int n = backlog.takeStored(room, paging.bytes() - ready.bytes(), taken);
            List<StoredMessage> read;
            try {
                read = host.store().read(key, Arrays.copyOf(taken.ids, n));
                retryAt = 0;
                attempts = 0;
                if (singles > 0) {
                    singles--;
                }
            } catch (RuntimeException e) {
                // A disk read error. The messages go back to the front and the queue tries again in a second,
                // then one message at a time, so that one unreadable record cannot hold back the rest: after
                // three failed reads on its own it is skipped (it stays in the store, and a restart brings it back).
                if (n == 1 && ++attempts >= MAX_ATTEMPTS) {
                    attempts = 0;
                    LOG.error("{}: message {} cannot be read back from the store; skipped until a restart", key,
                            taken.ids[0], e);
                    continue;
                }
                if (n > 1) {
                    singles = n;
                }
                backlog.untake(taken, n);
                retryAt = System.currentTimeMillis() + RETRY_MILLIS;
                retryIn.accept(RETRY_MILLIS);
                LOG.error("{}: could not read {} messages back from the store; trying again in {} ms", key, n,
                        RETRY_MILLIS, e);
                break;
            }
            int found = 0;
            for (int i = 0; i < n; i++) {
                if (found < read.size() && read.get(found).id() == taken.ids[i]) {
                    Message m = MessageCodec.decode(read.get(found++).data());
                    long expiresAt = taken.expiresAt[i] == Long.MIN_VALUE ? expiryOf.at(m, restoredAt)
                            : taken.expiresAt[i];
                    // Only the id was kept, not the bindings that routed it: its delivery works them out if asked.
                    ready.add(new QueueEntry(m, seq.getAsLong(), taken.ids[i], 0, expiresAt,
                            taken.ids[i] <= host.recoveredUpTo(), null));
                }
            }
            if (found < n) {
                // Only a damaged store loses a message the queue still references; the store logged why.
                LOG.error("{}: {} of {} messages paged in from the store could not be read", key, n - found, n);
            }
        }
        if (backlog.isEmpty()) {
            taken = null; // read back in full: the page arrays go with the backlog
        }
    }

    /**
     * Reads the bodies of a recovery page a slice at a time (at most {@value #PAGE} messages and about the
     * window's bytes, 8 MiB at most), handing each message to {@code each} before reading the next slice, so that
     * a page of large messages never sits in the heap at once.
     */
    void readInSlices(IdPage page, java.util.function.Consumer<StoredMessage> each) {
        long budget = Math.min(paging.bytes(), Paging.DEFAULT.bytes());
        int from = 0;
        while (from < page.size()) {
            int to = from;
            long bytes = 0;
            while (to < page.size() && to - from < PAGE && (to == from || bytes + page.sizes()[to] <= budget)) {
                bytes += page.sizes()[to++];
            }
            host.store().read(key, Arrays.copyOfRange(page.ids(), from, to)).forEach(each);
            from = to;
        }
    }

    /** Empties the backlog, handing every stored id to {@code storedIds}. */
    void clear(LongConsumer storedIds) {
        backlog.clear(storedIds);
    }

    private boolean full(ReadyList ready) {
        return ready.count() >= paging.messages() || ready.bytes() >= paging.bytes();
    }

    /** When a message read back from the store expires, from its properties and when it was enqueued. */
    interface Expiry {
        long at(Message m, long enqueuedAt);
    }
}
