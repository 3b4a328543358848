package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One quorum queue as every member of its group holds it: ready messages in id order, consumers in round-robin
 * order with their prefetch, and the messages checked out to each. Deterministic: it depends only on the entries
 * applied and their order (no clock, no randomness, no hash order), so every replica assigns the same message to
 * the same consumer when it applies the same entry, and the consumer's node delivers it from its own replica.
 *
 * <ul>
 *   <li>A message's id is its enqueue's position in the log ({@link QuorumBatch#position}). A returned message
 *   goes back to its place (before every message enqueued after it), as a classic queue's requeue does.</li>
 *   <li>A return counts: past {@code x-delivery-limit} returns the message leaves the queue and is dead-lettered
 *   (RabbitMQ's "Poison Message Handling": a limit of N allows N + 1 deliveries).</li>
 *   <li>With single active consumer only the earliest attached consumer is given messages; when it detaches the
 *   next one takes over.</li>
 *   <li>Length limits ({@link QueueLimits}, RabbitMQ "Queue Length Limit") count the ready messages: under
 *   drop-head an enqueue (or a return) that puts the queue past a limit drops the oldest ready messages, which the
 *   node of the command that pushed them out dead-letters with reason {@code maxlen}; under reject-publish the
 *   enqueue is refused and nothing is added.</li>
 *   <li>x-message-ttl is judged at a time the log carries ({@link #expire}), never this replica's clock.</li>
 * </ul> Used on the group's apply thread only.
 */
final class QuorumQueueState {

    /**
     * A message with the number of times it was returned, its body's size as length limits count it, and its
     * publish time (epoch milliseconds, 0: not known).
     */
    record Held(long id, byte[] body, int returns, long size, long publishedAt) {
        Held returned() {
            return new Held(id, body, returns + 1, size, publishedAt);
        }
    }

    /** An enqueue's answer when a reject-publish limit refused the message. */
    static final long REFUSED = -2;

    private record Checkout(String consumer, Held message) {
    }

    /** A consumer's prefetch (0: unlimited), the log position it was attached at, its unsettled messages. */
    private static final class Consumer {
        final long prefetch;
        final long attachedAt;
        long inFlight;

        Consumer(long prefetch, long attachedAt) {
            this.prefetch = prefetch;
            this.attachedAt = attachedAt;
        }

        boolean hasRoom() {
            return prefetch == 0 || inFlight < prefetch;
        }
    }

    private final String key;
    private long deliveryLimit = -1;
    private boolean singleActive;
    private QueueLimits limits = QueueLimits.NONE;
    private final TreeMap<Long, Held> ready = new TreeMap<>();
    /** The body bytes of the ready messages, as x-max-length-bytes counts them. */
    private long readyBytes;
    private final LinkedHashMap<String, Consumer> consumers = new LinkedHashMap<>();
    private final Map<Long, Checkout> checkedOut = new HashMap<>();

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

    /** An enqueue as written before enqueues carried a size and a time: the encoding's size, never expiring. */
    long enqueue(long id, byte[] body, QuorumEffects effects) {
        return enqueue(id, body, body.length, 0, "", effects);
    }

    /**
     * Appends message {@code id} of {@code size} body bytes, published at {@code publishedAt}, from node
     * incarnation {@code origin}; returns its id, or {@link #REFUSED} when a reject-publish limit refuses it. Under
     * drop-head the queue is trimmed to its limits after consumers took what they could, dropping the oldest
     * ready messages first (RabbitMQ "Queue Length Limit", drop-head).
     */
    long enqueue(long id, byte[] body, long size, long publishedAt, String origin, QuorumEffects effects) {
        if (limits.refuses(ready.size(), readyBytes, size)) {
            return REFUSED;
        }
        putReady(new Held(id, body, 0, size, publishedAt));
        assign(effects);
        trim(origin, effects);
        return id;
    }

    void attach(String consumer, long prefetch, long index, QuorumEffects effects) {
        consumers.putIfAbsent(consumer, new Consumer(prefetch, index));
        assign(effects);
    }

    void settle(String consumer, long[] ids, QuorumEffects effects) {
        for (long id : ids) {
            take(consumer, id);
        }
        assign(effects);
    }

    void giveBack(String consumer, long[] ids, QuorumEffects effects) {
        for (long id : ids) {
            Held m = take(consumer, id);
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
        for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
            String c = e.getKey();
            if (c.startsWith(prefix) && (keep.isEmpty() || !c.startsWith(keep))
                    && (before <= 0 || e.getValue().attachedAt < before)) {
                gone.add(c);
            }
        }
        for (Checkout c : checkedOut.values()) {
            if (c.consumer().startsWith(prefix) && (keep.isEmpty() || !c.consumer().startsWith(keep))
                    && !consumers.containsKey(c.consumer()) && !gone.contains(c.consumer())) {
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
        Held m = pollReady();
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
        int n = ready.size();
        ready.clear();
        readyBytes = 0;
        return n;
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
    private Held take(String consumer, long id) {
        Checkout c = checkedOut.get(id);
        if (c == null || !c.consumer().equals(consumer)) {
            return null;
        }
        checkedOut.remove(id);
        Consumer owner = consumers.get(consumer);
        if (owner != null) {
            owner.inFlight--;
        }
        return c.message();
    }

    private void requeue(Held m, String consumer, QuorumEffects effects) {
        Held back = m.returned();
        if (deliveryLimit >= 0 && back.returns() > deliveryLimit) {
            effects.deadLettered(key, consumer, back.body(), back.returns());
            return;
        }
        putReady(back);
    }

    /**
     * Drops the ready messages at the head of the queue that have outlived x-message-ttl at {@code now} (the log's
     * clock); the node of {@code origin} dead-letters them with reason {@code expired}. Only the head, as RabbitMQ
     * expires a queue's messages ("Time-To-Live and Expiration": expired messages are discarded once they reach the
     * head); messages without a publish time never expire. Returns how many left.
     */
    int expire(long now, String origin, QuorumEffects effects) {
        int n = 0;
        while (limits.messageTtl() >= 0 && !ready.isEmpty()
                && limits.expired(ready.firstEntry().getValue().publishedAt(), now)) {
            effects.dropped(key, origin, pollReady().body(), QuorumEffects.Drop.EXPIRED);
            n++;
        }
        return n;
    }

    /** When the first ready message outlives x-message-ttl (epoch milliseconds by its publish time), or -1. */
    long headExpiresAt() {
        return ready.isEmpty() ? -1 : limits.expiresAt(ready.firstEntry().getValue().publishedAt());
    }

    /**
     * Under drop-head, drops the oldest ready messages while the queue is past a limit; the node of {@code origin}
     * (the command's submitter or consumer) dead-letters them with reason {@code maxlen}. Reject-publish queues only
     * refuse publishes, as RabbitMQ's do: a return may leave them past their limit.
     */
    private void trim(String origin, QuorumEffects effects) {
        while (!limits.rejectPublish() && !ready.isEmpty() && limits.over(ready.size(), readyBytes)) {
            Held m = pollReady();
            effects.dropped(key, origin, m.body(), QuorumEffects.Drop.MAXLEN);
        }
    }

    private void putReady(Held m) {
        Held before = ready.put(m.id(), m);
        readyBytes += m.size() - (before == null ? 0 : before.size());
    }

    /** The first ready message, taken out; null when none is. */
    private Held pollReady() {
        Map.Entry<Long, Held> first = ready.pollFirstEntry();
        readyBytes -= first == null ? 0 : first.getValue().size();
        return first == null ? null : first.getValue();
    }

    /** Hands ready messages to consumers with room, round-robin in attach order (or only the first: SAC). */
    private void assign(QuorumEffects effects) {
        while (!ready.isEmpty() && !consumers.isEmpty()) {
            String chosen = null;
            for (Iterator<Map.Entry<String, Consumer>> it = consumers.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Consumer> e = it.next();
                if (e.getValue().hasRoom()) {
                    chosen = e.getKey();
                    break;
                }
                if (singleActive) {
                    break;
                }
            }
            if (chosen == null) {
                return;
            }
            Held m = pollReady();
            Consumer c = consumers.get(chosen);
            c.inFlight++;
            checkedOut.put(m.id(), new Checkout(chosen, m));
            if (!singleActive) {
                consumers.remove(chosen); // to the end of the round
                consumers.put(chosen, c);
            }
            effects.delivered(key, chosen, m.id(), m.body(), m.returns());
        }
    }

    /** Writes the state in the snapshot format that carries limits, sizes and publish times. */
    void write(DataOutputStream out) throws IOException {
        out.writeLong(deliveryLimit);
        out.writeBoolean(singleActive);
        limits.write(out);
        out.writeInt(ready.size());
        for (Held m : ready.values()) {
            writeHeld(out, m);
        }
        out.writeInt(consumers.size());
        for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().prefetch);
            out.writeLong(e.getValue().attachedAt);
            out.writeLong(e.getValue().inFlight);
        }
        List<Long> ids = new ArrayList<>(checkedOut.keySet());
        ids.sort(null);
        out.writeInt(ids.size());
        for (long id : ids) {
            Checkout c = checkedOut.get(id);
            out.writeUTF(c.consumer());
            writeHeld(out, c.message());
        }
    }

    /** Reads a queue's state as {@link #write} wrote it. */
    static QuorumQueueState read(String key, DataInputStream in) throws IOException {
        return read(key, in, true);
    }

    /**
     * Reads a queue's state; {@code withLimits} false for a snapshot taken before it carried limits, sizes and times
     * (no limits then, each message's size its encoding's, and none expires).
     */
    static QuorumQueueState read(String key, DataInputStream in, boolean withLimits) throws IOException {
        QuorumQueueState s = new QuorumQueueState(key);
        s.deliveryLimit = in.readLong();
        s.singleActive = in.readBoolean();
        if (withLimits) {
            s.limits = QueueLimits.read(in);
        }
        for (int i = in.readInt(); i > 0; i--) {
            s.putReady(readHeld(in, withLimits));
        }
        for (int i = in.readInt(); i > 0; i--) {
            String id = in.readUTF();
            long prefetch = in.readLong();
            Consumer read = new Consumer(prefetch, in.readLong());
            read.inFlight = in.readLong();
            s.consumers.put(id, read);
        }
        for (int i = in.readInt(); i > 0; i--) {
            String consumer = in.readUTF();
            Held m = readHeld(in, withLimits);
            s.checkedOut.put(m.id(), new Checkout(consumer, m));
        }
        return s;
    }

    private static void writeHeld(DataOutputStream out, Held m) throws IOException {
        out.writeLong(m.id());
        out.writeInt(m.returns());
        out.writeInt(m.body().length);
        out.write(m.body());
        out.writeLong(m.size());
        out.writeLong(m.publishedAt());
    }

    private static Held readHeld(DataInputStream in, boolean withLimits) throws IOException {
        long id = in.readLong();
        int returns = in.readInt();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        if (!withLimits) {
            return new Held(id, body, returns, body.length, 0);
        }
        return new Held(id, body, returns, in.readLong(), in.readLong());
    }
}
