package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One quorum queue as every member of its group holds it: ready messages in id order, consumers in the order they
 * take turns with their prefetch and priority, and the messages checked out to each. Deterministic: it depends only on the entries
 * applied and their order (no clock, no randomness, no hash order), so every replica assigns the same message to
 * the same consumer when it applies the same entry, and the consumer's node delivers it from its own replica.
 *
 * <ul>
 *   <li>A message's id is its enqueue's position in the log ({@link QuorumBatch#position}). A returned message
 *   goes back to its place (before every message enqueued after it), as a classic queue's requeue does.</li>
 *   <li>A return counts: past {@code x-delivery-limit} returns the message leaves the queue and is dead-lettered
 *   (RabbitMQ's "Poison Message Handling": a limit of N allows N + 1 deliveries).</li>
 *   <li>Consumers with room take messages by priority, then in turns ({@link ConsumerRound}, RabbitMQ "Consumer
 *   Priorities"); with single active consumer only the active one is given messages: the highest priority, the
 *   earliest among equals, switched to a higher one only once the active one has settled what it holds. An
 *   exclusive consumer is the queue's only one: refused if the queue has one, and any refused while it is there.</li>
 *   <li>Length limits ({@link QueueLimits}, RabbitMQ "Queue Length Limit") count the ready messages: under
 *   drop-head an enqueue (or a return) that puts the queue past a limit drops the oldest ready messages, which the
 *   node of the command that pushed them out dead-letters with reason {@code maxlen}; under reject-publish the
 *   enqueue is refused and nothing is added.</li>
 *   <li>x-message-ttl and a message's own expiration ({@link MessageExpiry}) are judged at a time the log carries
 *   ({@link #expire}), never this replica's clock.</li>
 *   <li>Dead-lettering at least once ({@link QueueLimits#atLeastOnce}), a dead-lettered message stays, pending,
 *   until a settle says its target confirmed it ({@link PendingDeadLetters}); at most once, a node publishes it.</li>
 * </ul> Used on the group's apply thread only.
 */
final class QuorumQueueState {

    /** An enqueue's answer when a reject-publish limit refused the message. */
    static final long REFUSED = -2;

    private record Checkout(String consumer, HeldMessage message) {
    }

    private final String key;
    private long deliveryLimit = -1;
    private boolean singleActive;
    private QueueLimits limits = QueueLimits.NONE;
    private final HeldMessages ready = new HeldMessages();
    private ConsumerRound consumers = new ConsumerRound();
    private final Map<Long, Checkout> checkedOut = new HashMap<>();
    private PendingDeadLetters dead = new PendingDeadLetters();
    /** The log time the queue was last used (declared, a consumer came or went, a get), for x-expires; 0: none. */
    private long lastUsedAt;
    /** The log's clock and origin {@link #expire} judges the command being applied by (0 between commands). */
    private long judgedAt;
    private String judgedFor = "";

    QuorumQueueState(String key) {
        this.key = key;
    }

    void declare(long deliveryLimit, boolean singleActive) {
        declare(deliveryLimit, singleActive, QueueLimits.NONE);
    }

    void declare(long deliveryLimit, boolean singleActive, QueueLimits limits) {
        this.deliveryLimit = deliveryLimit;
        this.singleActive = singleActive;
        this.limits = limits;
    }

    QueueLimits limits() {
        return limits;
    }

    /**
     * A declaration's limits (a policy's, lowered since) applied at once under drop-head, as RabbitMQ applies a
     * lowered length limit; the node of {@code origin}, the declaring one, dead-letters what leaves.
     */
    void declared(String origin, QuorumEffects effects) {
        trim(origin, effects);
    }

    /** An enqueue as written before enqueues carried a size and a time: the encoding's size, never expiring. */
    long enqueue(long id, byte[] body, QuorumEffects effects) {
        return enqueue(id, body, body.length, 0, -1, "", effects);
    }

    /**
     * Appends message {@code id} of {@code size} body bytes, published at {@code publishedAt}, expiring by its own
     * expiration at {@code expiresAt} (-1: never), from node incarnation {@code origin}; returns its id, or {@link
     * #REFUSED} when a reject-publish limit refuses it. Under drop-head the queue is trimmed to its limits after
     * consumers took what they could, dropping the oldest ready messages first (RabbitMQ "Queue Length Limit").
     */
    long enqueue(long id, byte[] body, long size, long publishedAt, long expiresAt, String origin,
            QuorumEffects effects) {
        // Dead letters waiting for their target still count, as RabbitMQ's at-least-once dead-lettering counts them.
        if (limits.refuses(ready.size() + dead.count(), ready.bytes() + dead.bytes(), size)) {
            return REFUSED;
        }
        ready.put(new HeldMessage(id, body, 0, size, publishedAt, expiresAt));
        long at = judgedAt; // a consumer with room means nothing else was ready: a TTL of 0 reaches it, as in RabbitMQ
        judgedAt = 0;
        assign(effects);
        judgedAt = at;
        trim(origin, effects);
        return id;
    }

    /** Attaches a consumer with its x-priority, exclusive or not ({@link ConsumerRound#attach}); false: refused. */
    boolean attach(String consumer, long prefetch, long priority, boolean exclusive, long index,
            QuorumEffects effects) {
        if (!consumers.attach(consumer, prefetch, priority, index, exclusive)) {
            return false;
        }
        assign(effects);
        return true;
    }

    void settle(String consumer, long[] ids, QuorumEffects effects) {
        for (long id : ids) {
            take(consumer, id);
        }
        assign(effects);
    }

    /** A reject without requeue: each message leaves {@code consumer} and is dead-lettered, reason rejected. */
    void reject(String consumer, long[] ids, QuorumEffects effects) {
        for (long id : ids) {
            HeldMessage m = take(consumer, id);
            if (m != null) {
                deadLetter(m, consumer, QuorumEffects.Drop.REJECTED, effects);
            }
        }
        assign(effects);
    }

    /** The messages dead-lettered at least once whose target has not confirmed them yet. */
    PendingDeadLetters deadLetters() {
        return dead;
    }

    void giveBack(String consumer, long[] ids, QuorumEffects effects) {
        for (long id : ids) {
            HeldMessage m = take(consumer, id);
            if (m != null) {
                requeue(m, consumer, effects);
            }
        }
        assign(effects);
        trim(consumer, effects);
    }

    void detach(String consumer, boolean returnUnsettled, QuorumEffects effects) {
        consumers.remove(consumer);
        if (returnUnsettled) {
            List<Long> held = new ArrayList<>();
            for (Map.Entry<Long, Checkout> e : checkedOut.entrySet()) {
                if (e.getValue().consumer().equals(consumer)) {
                    held.add(e.getKey());
                }
            }
            held.sort(null); // hash order must not decide which message is dead-lettered first
            for (long id : held) {
                requeue(checkedOut.remove(id).message(), consumer, effects);
            }
        }
        assign(effects);
        trim(consumer, effects);
    }

    /**
     * Detaches every consumer whose id starts with {@code prefix} but not {@code keep} (a node restarted), or that
     * was attached before log position {@code before} (a node its group's leader has not heard from: consumers it
     * attached after that, once back, stay), returning their messages; and returns the messages still held by
     * consumers of the prefix that were detached before.
     */
    void detachAll(String prefix, String keep, long before, QuorumEffects effects) {
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, ConsumerRound.Consumer> e : consumers.entries()) {
            String c = e.getKey();
            if (c.startsWith(prefix) && (keep.isEmpty() || !c.startsWith(keep))
                    && (before <= 0 || e.getValue().attachedAt < before)) {
                gone.add(c);
            }
        }
        for (Checkout c : checkedOut.values()) {
            if (c.consumer().startsWith(prefix) && (keep.isEmpty() || !c.consumer().startsWith(keep))
                    && !consumers.contains(c.consumer()) && !gone.contains(c.consumer())) {
                gone.add(c.consumer()); // cancelled earlier, still holding messages
            }
        }
        gone.sort(null);
        for (String c : gone) {
            detach(c, true, effects);
        }
    }

    /**
     * basic.get for {@code getter}: the first ready message, checked out to the getter (settled by its
     * acknowledgement, returned by a reject with requeue or when its channel closes, as a consumer's) or, when
     * {@code settled} (no-ack), gone from the queue at once. The getter is no consumer: it takes no part in the
     * round-robin and has no prefetch. Its node is told with the ready count left, which get-ok reports.
     * Returns the message's id, or 0 when nothing is ready (get-empty).
     */
    long checkout(String getter, boolean settled, QuorumEffects effects) {
        HeldMessage m = ready.poll();
        if (m == null) {
            return 0;
        }
        if (!settled) {
            checkedOut.put(m.id(), new Checkout(getter, m));
        }
        effects.checkedOut(key, getter, m.id(), m.body(), m.returns(), ready.size());
        return m.id();
    }

    int purge() {
        return ready.clear();
    }

    int readyCount() {
        return ready.size();
    }

    int unsettledCount() {
        return checkedOut.size();
    }

    int consumerCount() {
        return consumers.size();
    }

    /** Removes a checked-out message held by {@code consumer}; null when it holds no such message. */
    private HeldMessage take(String consumer, long id) {
        Checkout c = checkedOut.get(id);
        if (c == null || !c.consumer().equals(consumer)) {
            return null;
        }
        checkedOut.remove(id);
        consumers.released(consumer);
        return c.message();
    }

    private void requeue(HeldMessage m, String consumer, QuorumEffects effects) {
        HeldMessage back = m.returned();
        if (deliveryLimit >= 0 && back.returns() > deliveryLimit) {
            deadLetter(back, consumer, QuorumEffects.Drop.DELIVERY_LIMIT, effects);
            return;
        }
        ready.put(back);
    }

    /**
     * Drops the ready messages at the head of the queue that have outlived x-message-ttl or their own expiration at
     * {@code now} (the log's clock); the node of {@code origin} dead-letters them with reason {@code expired}. Only
     * the head, as RabbitMQ expires a queue's messages ("Time-To-Live and Expiration": expired messages are
     * discarded once they reach the head; a message behind an unexpired one waits); messages without a publish time
     * never expire by x-message-ttl. Returns how many left.
     */
    int expire(long now, String origin, QuorumEffects effects) {
        judgedAt = now;
        judgedFor = origin;
        int n = 0;
        while (!ready.isEmpty() && ready.first().expired(limits, now)) {
            deadLetter(ready.poll(), origin, QuorumEffects.Drop.EXPIRED, effects);
            n++;
        }
        return n;
    }

    /** The command that {@link #expire} judged for has been applied. */
    void judged() {
        judgedAt = 0;
        judgedFor = "";
    }

    /**
     * The queue was used at log time {@code now}: RabbitMQ "Queue TTL" (x-expires) counts a queue unused while it
     * has no consumer, is not declared again and serves no get; publishing does not count. Never goes back.
     */
    void used(long now) {
        lastUsedAt = Math.max(lastUsedAt, now);
    }

    /**
     * When the queue will have been unused for its x-expires (epoch milliseconds, by the log's clock), or -1: it has
     * consumers, no x-expires, or no logged time of use yet.
     */
    long unusedExpiresAt() {
        return limits.expires() < 0 || !consumers.isEmpty() || lastUsedAt <= 0 ? -1 : lastUsedAt + limits.expires();
    }

    /** When the group leader's timer should next look at the queue: its head's expiry or its own, or -1. */
    long nextDueAt() {
        long head = headExpiresAt();
        long unused = unusedExpiresAt();
        return head < 0 ? unused : unused < 0 ? head : Math.min(head, unused);
    }

    /** When the first ready message expires (epoch milliseconds; by x-message-ttl or its own expiration), or -1. */
    long headExpiresAt() {
        return ready.isEmpty() ? -1 : ready.first().expiresAt(limits);
    }

    /**
     * Under drop-head, drops the oldest ready messages while the queue is past a limit; the node of {@code origin}
     * (the command's submitter or consumer) dead-letters them with reason {@code maxlen}. Reject-publish queues only
     * refuse publishes, as RabbitMQ's do: a return may leave them past their limit.
     */
    private void trim(String origin, QuorumEffects effects) {
        while (!limits.rejectPublish() && !ready.isEmpty() && limits.over(ready.size(), ready.bytes())) {
            HeldMessage m = ready.poll();
            effects.dropped(key, origin, m.body(), QuorumEffects.Drop.MAXLEN);
        }
    }

    private void deadLetter(HeldMessage m, String origin, QuorumEffects.Drop why, QuorumEffects effects) {
        dead.deadLetter(key, m, origin, why, limits.atLeastOnce(), effects);
    }

    /**
     * Hands ready messages to the consumers {@link ConsumerRound} chooses: the highest priority with room first,
     * round-robin among equals (or only the active one: SAC).
     */
    private void assign(QuorumEffects effects) {
        while (!ready.isEmpty() && !consumers.isEmpty()) {
            if (judgedAt > 0 && expire(judgedAt, judgedFor, effects) > 0) {
                continue; // a message behind the one taken may be past its own, shorter, expiration
            }
            String chosen = consumers.take(singleActive);
            if (chosen == null) {
                return;
            }
            HeldMessage m = ready.poll();
            checkedOut.put(m.id(), new Checkout(chosen, m));
            effects.delivered(key, chosen, m.id(), m.body(), m.returns());
        }
    }

    /** Writes the state in the snapshot format that carries limits, sizes, publish times and messages' expiries. */
    void write(DataOutputStream out) throws IOException {
        out.writeLong(deliveryLimit);
        out.writeBoolean(singleActive);
        limits.write(out);
        out.writeLong(lastUsedAt);
        out.writeInt(ready.size());
        for (HeldMessage m : ready.all()) {
            m.write(out);
        }
        consumers.write(out);
        List<Long> ids = new ArrayList<>(checkedOut.keySet());
        ids.sort(null);
        out.writeInt(ids.size());
        for (long id : ids) {
            Checkout c = checkedOut.get(id);
            out.writeUTF(c.consumer());
            c.message().write(out);
        }
        dead.write(out);
    }

    /** Reads a queue's state as {@link #write} wrote it. */
    static QuorumQueueState read(String key, DataInputStream in) throws IOException {
        return read(key, in, SnapshotFormat.CURRENT);
    }

    /**
     * Reads a queue's state from a snapshot in {@code format}: one before limits has none (each message's size its
     * encoding's, and none expires), one before messages' own expiries has none ({@link HeldMessage#read}), one
     * before priorities has every consumer at priority 0, one before x-expires no x-expires, one before pending
     * dead letters none.
     */
    static QuorumQueueState read(String key, DataInputStream in, SnapshotFormat format) throws IOException {
        boolean withLimits = format.carriesLimits();
        boolean withExpiries = format.carriesExpiries();
        QuorumQueueState s = new QuorumQueueState(key);
        s.deliveryLimit = in.readLong();
        s.singleActive = in.readBoolean();
        if (withLimits) {
            s.limits = QueueLimits.read(in, format);
        }
        if (format.carriesIdleExpiry()) {
            s.lastUsedAt = in.readLong();
        }
        for (int i = in.readInt(); i > 0; i--) {
            s.ready.put(HeldMessage.read(in, withLimits, withExpiries));
        }
        s.consumers = ConsumerRound.read(in, format);
        for (int i = in.readInt(); i > 0; i--) {
            String consumer = in.readUTF();
            HeldMessage m = HeldMessage.read(in, withLimits, withExpiries);
            s.checkedOut.put(m.id(), new Checkout(consumer, m));
        }
        s.dead = PendingDeadLetters.read(in, format);
        return s;
    }
}
