package dev.junction.routing.queue;

import dev.junction.routing.Confirmation;
import dev.junction.routing.MessageCodec;
import dev.junction.routing.SerialExecutor;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.storage.IdPage;
import dev.junction.storage.QueueKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A queue: an actor that owns its messages and consumers. Every public method may be called from any thread; it
 * posts to the queue's {@link SerialExecutor}, so the state below is only ever touched by one thread at a time
 * and needs no locks. Results come back as futures completed on the queue's thread.
 *
 * <p>The state lives in parts, each used on the mailbox thread only: {@link ReadyMessages} (the in-memory window
 * and the paged-out backlog, expiry and the drop-head limit), {@link Dispatch} (consumers' deliveries and their
 * settlement), {@link Departures} (what a leaving message owes the store and the dead-letter exchange),
 * {@link ConsumerSet}, {@link QueueStats} and the timers. This class is the mailbox: it posts each request and
 * keeps the order. Counts other threads need synchronously (declare-ok, metrics) are mirrored in one volatile record.
 */
public final class Queue implements QueueTarget {
    private final QueueHost host;
    private final QueueKey key;
    private final QueueSpec spec;
    private final EffectiveArguments args;
    private final Object exclusiveOwner;
    private final SerialExecutor mailbox;
    private final PublisherBrake brake;

    // Owned by the mailbox thread.
    private final ReadyMessages ready;
    private final Departures departures;
    private final ConsumerSet consumers;
    private final Dispatch dispatch;
    private long nextConsumerOrder;
    private boolean hadConsumer, deleted;
    /** Armed for the window's head when it can expire; made then (most queues never have a TTL). */
    private MailboxTimer ttlTimer;
    private final IdleExpiry idleExpiry;
    private final QueueStats stats = new QueueStats();

    private record Counts(int ready, long bytes, int paged, int unacked, int consumers) {}
    private volatile Counts counts = new Counts(0, 0, 0, 0, 0); // one change's, whole: read once, they agree

    public Queue(QueueHost host, QueueSpec spec, QueueArguments declared, Object exclusiveOwner) {
        this.host = host;
        this.key = new QueueKey(host.vhostName(), spec.name());
        this.spec = spec;
        this.args = new EffectiveArguments(declared, spec.arguments());
        this.exclusiveOwner = exclusiveOwner;
        this.mailbox = SerialExecutor.batching(host.pool(), "queue " + spec.name());
        this.departures = new Departures(host, key, args, QueueDeduplication.of(spec.arguments()));
        this.ready = new ReadyMessages(host, key, spec.durable(), args, departures, this::kick);
        this.consumers = new ConsumerSet(declared.singleActiveConsumer());
        this.brake = new PublisherBrake(spec, args, host, mailbox, consumers);
        this.dispatch = new Dispatch(this, host, args, ready, departures, consumers, brake, mailbox);
        // A quorum queue in a cluster is used through its log, on every node: its x-expires is the log's to judge
        // (QuorumQueues#unused), never this node's definition's, which has no consumer of its own.
        this.idleExpiry = new IdleExpiry(host, mailbox, args,
                () -> !deleted && consumers.isEmpty() && host.countsElsewhere(this) == null,
                () -> host.queueUnused(this));
        mailbox.execute(idleExpiry::schedule);
    }

    public String name() {
        return spec.name();
    }

    public QueueKey key() {
        return key;
    }

    public QueueSpec spec() {
        return spec;
    }

    public EffectiveArguments arguments() {
        return args;
    }

    public boolean durable() {
        return spec.durable();
    }

    public Object exclusiveOwner() {
        return exclusiveOwner;
    }

    /**
     * Ready messages (not counting delivered, unacknowledged ones), as AMQP's declare-ok reports. A quorum queue in
     * a cluster holds none itself: its log's, as this node's replica counts them ({@link QueueHost#countsElsewhere}).
     */
    public int messageCount() {
        return counts().ready();
    }

    public long messageBytes() {
        return counts.bytes();
    }

    public int pagedCount() { // ready messages whose bodies are on disk only, waiting for room in the window
        return counts.paged();
    }

    /** Ready, unacked, consumers and kept dead letters of one moment: a view that shows them together reads this. */
    public QueueCounts counts() {
        QueueCounts elsewhere = host.countsElsewhere(this);
        Counts c = counts;
        return elsewhere != null ? elsewhere : new QueueCounts(c.ready(), c.unacked(), c.consumers());
    }

    public int unackedCount() {
        return counts().unacked();
    }

    public int consumerCount() {
        return counts().consumers();
    }

    /** Dead letters kept until their target confirms them: a quorum queue's in a cluster, else none. */
    public int deadLetterCount() {
        return counts().deadLetters();
    }

    public QueueStats stats() {
        return stats;
    }

    /** Whether publishers should pause: they outrun the queue, or its reading consumers ({@link PublisherBrake}). */
    public boolean congested() {
        return brake.congested();
    }

    /** Runs {@code callback} (once, quickly, on a pool thread) when publishers may go on. */
    public void whenRelieved(Runnable callback) {
        brake.whenRelieved(callback);
    }

    /**
     * Tells {@code listener} the reason ({@code maxlen}, {@code expired}) of every message the queue drops undelivered;
     * it runs on the queue's thread and must be quick. Counting drops so costs nothing like dead-lettering them.
     */
    public void onDropped(java.util.function.Consumer<String> listener) {
        departures.onDropped(listener);
    }

    // ---- publishing -------------------------------------------------------------------------------------------

    /**
     * Adds a routed message. {@code storeId} is the message's id in the store when it was written there for this
     * queue, else 0; {@code matched}, the bindings into this queue that routed it (null: not known). The queue
     * answers {@code confirmation} once it has taken or refused the message.
     */
    public void enqueue(Message message, long storeId, Confirmation confirmation, List<Binding> matched) {
        mailbox.execute(() -> doEnqueue(message, storeId, confirmation, false, matched));
    }

    /** Restores the queue's stored messages at start-up, listed by id (possibly delivered before: redelivered). */
    public void restore(IdPage page) {
        mailbox.execute(() -> {
            ready.restore(page, System.currentTimeMillis(),
                    s -> doEnqueue(MessageCodec.decode(s.data()), s.id(), Confirmation.none(), true, null));
            if (args.now().messageTtl() != null) {
                ready.expireHeads(System.currentTimeMillis()); // fills the window: the TTL timer runs without traffic
            }
            afterChange();
        });
    }

    private void doEnqueue(Message message, long storeId, Confirmation confirmation, boolean redelivered,
                           List<Binding> matched) {
        if (deleted) {
            departures.forget(storeId);
            confirmation.accept();
            return;
        }
        switch (dispatch.arrive(message, storeId, redelivered, matched, System.currentTimeMillis())) {
            case TAKEN -> {
                // Counts first, then the confirmation: a client that saw its confirm must see the message counted.
                afterChange();
                confirmation.accept();
            }
            case DUPLICATE -> confirmation.accept();
            case REFUSED -> confirmation.refuse();
        }
    }

    // ---- delivering -------------------------------------------------------------------------------------------

    /** Asks the queue to try delivering again: credit was released or a consumer became ready. */
    public void kick() {
        mailbox.executeUrgent(() -> {
            if (!deleted) {
                dispatch.deliverReady(System.currentTimeMillis());
                afterChange();
            }
        });
    }

    /** This queue's bindings that {@code message} matches now, asked of their exchanges; any thread. */
    public List<Binding> bindingsMatching(Message message) {
        return host.bindingsMatching(this, message);
    }

    /** Settles deliveries by id. Unknown ids (already settled, or from before a purge) are ignored. */
    public void settle(long[] deliveryIds, Settlement how) {
        mailbox.executeUrgent(() -> {
            dispatch.settle(deliveryIds, how, deleted, System.currentTimeMillis());
            afterChange();
        });
    }

    public void settle(long deliveryId, Settlement how) {
        settle(new long[] {deliveryId}, how);
    }

    /** basic.get: takes the next ready message, or completes with null when there is none. */
    public CompletableFuture<Delivery> get(boolean autoAck) {
        return mailbox.call(() -> {
            checkNotDeleted();
            long now = System.currentTimeMillis();
            idleExpiry.used();
            ready.expireHeads(now);
            QueueEntry e = ready.poll(); // expireHeads has filled the window
            Delivery d = e == null ? null : dispatch.hand(null, e, autoAck);
            afterChange();
            return d;
        });
    }

    // ---- consumers --------------------------------------------------------------------------------------------

    /**
     * Registers a consumer. The future completes on the queue's thread before any delivery to the consumer, so
     * an adapter can send its consume-ok first; deliveries start in a later task.
     */
    public CompletableFuture<Consumer> consume(ConsumerSpec consumerSpec, DeliverySink sink) {
        CompletableFuture<Consumer> result = mailbox.call(() -> {
            checkNotDeleted();
            if (exclusiveOwner != null && exclusiveOwner != consumerSpec.owner()) {
                throw BrokerException.resourceLocked("cannot obtain exclusive access to locked " + key);
            }
            if (consumers.anyExclusive() || (consumerSpec.exclusive() && !consumers.isEmpty())) {
                throw BrokerException.accessRefused(key + " in exclusive use");
            }
            Consumer c = new Consumer(this, consumerSpec, sink, nextConsumerOrder++);
            consumers.add(c);
            hadConsumer = true;
            idleExpiry.used();
            afterChange();
            return c;
        });
        result.thenRun(this::kick);
        return result;
    }

    CompletableFuture<Void> cancel(Consumer c) {
        return mailbox.call(() -> {
            if (consumers.remove(c)) {
                idleExpiry.used();
                c.limits().forEach(p -> p.unpark(this));
                if (consumers.isEmpty() && spec.autoDelete() && hadConsumer && !deleted) {
                    host.queueUnused(this);
                }
                idleExpiry.schedule();
                if (!deleted) {
                    // Another consumer may take over (single active consumer) or may share the freed credit.
                    dispatch.deliverReady(System.currentTimeMillis());
                }
                afterChange();
            }
            return null;
        });
    }

    // ---- administration ---------------------------------------------------------------------------------------

    /** Marks the queue as used (a redeclare), which restarts its x-expires period. */
    public void touch() {
        mailbox.execute(idleExpiry::used);
    }

    /**
     * Applies a policy (null: none) in the mailbox, merged as {@link EffectiveArguments} says: a lower length limit
     * drops from the head at once, as in RabbitMQ; a new TTL applies to messages enqueued from then on.
     */
    public CompletableFuture<Void> applyPolicy(Policy policy, PolicyDefinition definition) {
        args.policy(policy);
        return mailbox.submit(() -> {
            if (!deleted && args.apply(definition)) {
                idleExpiry.schedule();
                ready.dropHeadOverLimit(System.currentTimeMillis());
                afterChange();
            }
        });
    }

    /** Removes every ready message; completes with how many were removed. */
    public CompletableFuture<Integer> purge() {
        return mailbox.call(() -> {
            int n = ready.count();
            ready.dropAll(new StoreRemovals(host.store(), key)).flush();
            afterChange();
            return n;
        });
    }

    /**
     * Deletes the queue's contents and cancels its consumers (told through their sinks), completing with the number
     * of ready messages dropped; unless {@code ifUnused} and it has consumers, or {@code ifEmpty} and it holds ready
     * messages (then the future fails with PRECONDITION_FAILED). Checked on the queue's own thread, so the answer
     * reflects every message and consumer the queue has taken so far.
     */
    public CompletableFuture<Integer> delete(boolean ifUnused, boolean ifEmpty) {
        return mailbox.call(() -> {
            if (deleted) {
                return 0;
            }
            if (ifUnused && !consumers.isEmpty()) {
                throw BrokerException.preconditionFailed(key + " in use");
            }
            if (ifEmpty && ready.count() > 0) {
                throw BrokerException.preconditionFailed(key + " is not empty");
            }
            deleted = true;
            int n = ready.count();
            // The vhost dropped the queue's store references when it unlinked it; these are the ones added since
            // (publishes that routed here just before). Ids are unique, so a queue of the same name is not touched.
            StoreRemovals removals = ready.dropAll(new StoreRemovals(host.store(), key));
            dispatch.releaseAll(removals);
            removals.flush();
            for (Consumer c : consumers.all()) {
                consumers.remove(c);
                c.sink().cancelled(CancelReason.QUEUE_DELETED);
            }
            if (ttlTimer != null) {
                ttlTimer.cancel();
            }
            idleExpiry.cancel();
            afterChange();
            return n;
        });
    }

    // ---- timers and plumbing ----------------------------------------------------------------------------------

    private void afterChange() {
        int r = ready.count(), p = ready.pagedCount(), u = dispatch.unackedCount(), c = consumers.size();
        long b = ready.bytes();
        stats.changed(r, c); // before the counts: a reader that sees none ready sees no oldest ready message
        // one record, not a volatile per count: no reader can pair this ready count with an older paged count
        Counts was = counts;
        if (r != was.ready() || b != was.bytes() || p != was.paged() || u != was.unacked() || c != was.consumers()) {
            counts = new Counts(r, b, p, u, c);
        }
        brake.update(r, c > 0);
        QueueEntry head = ready.windowHead(); // the TTL timer is armed for the window's head
        if (!deleted && head != null && head.expiresAt != Long.MAX_VALUE) {
            if (ttlTimer == null) {
                ttlTimer = new MailboxTimer(host.timers(), mailbox, this::expireHeads);
            }
            ttlTimer.armAt(head.expiresAt);
        }
    }

    private void expireHeads() {
        if (!deleted) {
            ready.expireHeads(System.currentTimeMillis());
            afterChange();
        }
    }

    /** The vhost removed the queue and its store references: stop reading the backlog back (delete follows). */
    public void unlinked() {
        ready.unlinked();
    }

    private void checkNotDeleted() {
        if (deleted) {
            throw BrokerException.notFound("no " + key);
        }
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
