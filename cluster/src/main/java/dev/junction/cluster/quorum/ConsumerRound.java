package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The consumers of one quorum queue, from every node, and which of them takes the next ready message. Part of the
 * replicated state: the choice depends only on the commands applied (attach order, prefetch, priority, what each
 * holds), never on hash order or a clock, so every replica hands the same message to the same consumer.
 *
 * <ul>
 *   <li>RabbitMQ "Consumer Priorities": a message goes to a consumer of the highest priority ({@code x-priority},
 *   0 when not given) that has room under its prefetch; one of lower priority gets messages only while every
 *   consumer above it is full.</li>
 *   <li>Consumers of equal priority take turns (round-robin, in attach order): the one chosen goes to the end of
 *   the round.</li>
 *   <li>With single active consumer the first in the round is the active one, the only one given messages ({@link
 *   #takeActive}). RabbitMQ "Consumers", Single Active Consumer, "Initial SAC Selection" (quorum queues, 4.0 and
 *   later): a consumer registering with a priority above the active one's stops deliveries to the active one and
 *   becomes active once all the active one's messages are acknowledged. Among equal priorities the earliest attached
 *   stays active; when the active one detaches, the remaining one of the highest priority (the earliest among
 *   equals) takes over. The round's order is the choice: the active one is moved to the front, the others keep their attach
 *   order, so a snapshot carries it without a field of its own and one taken before this rule (the earliest
 *   attached first, active) loads as it was.</li>
 * </ul>
 * Used on the group's apply thread only.
 */
final class ConsumerRound {

    /**
     * A consumer's prefetch (0: unlimited), priority, the log position it was attached at, whether it is exclusive,
     * what it holds.
     */
    static final class Consumer {
        final long prefetch;
        final long priority;
        final long attachedAt;
        final boolean exclusive;
        /** The messages assigned to it and not settled or returned yet. */
        long inFlight;

        Consumer(long prefetch, long priority, long attachedAt, boolean exclusive) {
            this.prefetch = prefetch;
            this.priority = priority;
            this.attachedAt = attachedAt;
            this.exclusive = exclusive;
        }

        boolean hasRoom() {
            return prefetch == 0 || inFlight < prefetch;
        }
    }

    /** In round order: attach order, each chosen consumer moved to the end. */
    private final LinkedHashMap<String, Consumer> consumers = new LinkedHashMap<>();
    /** How many of them are exclusive: 0 or, alone in the round, 1. */
    private int exclusives;

    /**
     * Adds a consumer last in the round; one already attached (a command applied twice) stays as it is. AMQP 0-9-1
     * basic.consume {@code exclusive}: "Request exclusive consumer access, meaning only this consumer can access the
     * queue". So an exclusive consumer is refused while the queue has any consumer, and any consumer while an
     * exclusive one is attached (RabbitMQ: 403 ACCESS_REFUSED, "in exclusive use"). Returns false when refused:
     * nothing changes.
     */
    boolean attach(String id, long prefetch, long priority, long attachedAt, boolean exclusive) {
        if (consumers.containsKey(id)) {
            return true;
        }
        if (exclusives > 0 || (exclusive && !consumers.isEmpty())) {
            return false;
        }
        consumers.put(id, new Consumer(prefetch, priority, attachedAt, exclusive));
        exclusives += exclusive ? 1 : 0;
        return true;
    }

    /** The consumer, or null when it is not attached. */
    Consumer get(String id) {
        return consumers.get(id);
    }

    boolean contains(String id) {
        return consumers.containsKey(id);
    }

    void remove(String id) {
        Consumer c = consumers.remove(id);
        exclusives -= c != null && c.exclusive ? 1 : 0;
    }

    boolean isEmpty() {
        return consumers.isEmpty();
    }

    int size() {
        return consumers.size();
    }

    /** Every consumer in round order; read only. */
    Set<Map.Entry<String, Consumer>> entries() {
        return Collections.unmodifiableMap(consumers).entrySet();
    }

    /**
     * The consumer that takes the next message, its in-flight count raised and (round-robin) moved to the end of the
     * round; null when none may take one (every consumer full, or the single active one full or giving way).
     */
    String take(boolean singleActive) {
        if (singleActive) {
            return takeActive();
        }
        String chosen = null;
        Consumer best = null;
        for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
            Consumer c = e.getValue();
            // Strictly higher only: among equals the earliest in the round wins, which is the round-robin.
            if (c.hasRoom() && (best == null || c.priority > best.priority)) {
                chosen = e.getKey();
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        best.inFlight++;
        consumers.remove(chosen); // to the end of the round
        consumers.put(chosen, best);
        return chosen;
    }

    /**
     * Single active consumer: the first in the round, unless one of strictly higher priority is attached (the first
     * of the highest priority in the round: the earliest attached among equals, as the active one is never passed
     * over for an equal). That one waits, and the active one is given nothing more, until the active one holds no
     * message: RabbitMQ's quorum queues switch over only once the active consumer's messages are all acknowledged,
     * so the new one is given no message while one before it is unacknowledged at the old one. A return counts as
     * settling, as the message goes back to its place for the next active consumer. The switch is decided here, on
     * the next message to hand out, and depends only on the applied commands, so every replica switches at the same
     * entry; with nothing ready to hand out no replica switches, and none needs to.
     */
    private String takeActive() {
        if (consumers.isEmpty()) {
            return null;
        }
        String active = consumers.keySet().iterator().next();
        Consumer c = consumers.get(active);
        String best = active;
        Consumer highest = c;
        for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
            if (e.getValue().priority > highest.priority) {
                best = e.getKey();
                highest = e.getValue();
            }
        }
        if (highest != c) {
            if (c.inFlight > 0) {
                return null; // the active one gives way once it has settled what it holds
            }
            active = best;
            c = highest;
            toFront(best);
        }
        if (!c.hasRoom()) {
            return null;
        }
        c.inFlight++;
        return active;
    }

    /** Makes {@code id} the first in the round (the active one), the others in their order after it. */
    private void toFront(String id) {
        Consumer c = consumers.remove(id);
        LinkedHashMap<String, Consumer> rest = new LinkedHashMap<>(consumers);
        consumers.clear();
        consumers.put(id, c);
        consumers.putAll(rest);
    }

    /** A message the consumer held was settled or returned: room for another. */
    void released(String id) {
        Consumer c = consumers.get(id);
        if (c != null) {
            c.inFlight--;
        }
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(consumers.size());
        for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().prefetch);
            out.writeLong(e.getValue().attachedAt);
            out.writeLong(e.getValue().inFlight);
            out.writeLong(e.getValue().priority);
            out.writeBoolean(e.getValue().exclusive);
        }
    }

    /** Reads the consumers as {@link #write} wrote them, or as a snapshot in an earlier {@code format} did. */
    static ConsumerRound read(DataInputStream in, SnapshotFormat format) throws IOException {
        ConsumerRound round = new ConsumerRound();
        for (int i = in.readInt(); i > 0; i--) {
            String id = in.readUTF();
            long prefetch = in.readLong();
            long attachedAt = in.readLong();
            long inFlight = in.readLong();
            // Consumers attached before priorities were carried were all given messages alike: priority 0.
            long priority = format.carriesPriorities() ? in.readLong() : 0;
            // Nor could a consumer be exclusive before that was carried.
            boolean exclusive = format.carriesExclusiveConsumers() && in.readBoolean();
            Consumer c = new Consumer(prefetch, priority, attachedAt, exclusive);
            c.inFlight = inFlight;
            round.consumers.put(id, c);
            round.exclusives += exclusive ? 1 : 0;
        }
        return round;
    }
}
