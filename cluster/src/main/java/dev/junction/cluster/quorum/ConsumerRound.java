package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
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
 *   <li>With single active consumer only the earliest attached is ever chosen, whatever the priorities, as before
 *   priorities were carried; when it detaches the next one takes over.</li>
 * </ul>
 * Used on the group's apply thread only.
 */
final class ConsumerRound {

    /** A consumer's prefetch (0: unlimited), priority, the log position it was attached at, what it holds. */
    static final class Consumer {
        final long prefetch;
        final long priority;
        final long attachedAt;
        /** The messages assigned to it and not settled or returned yet. */
        long inFlight;

        Consumer(long prefetch, long priority, long attachedAt) {
            this.prefetch = prefetch;
            this.priority = priority;
            this.attachedAt = attachedAt;
        }

        boolean hasRoom() {
            return prefetch == 0 || inFlight < prefetch;
        }
    }

    /** In round order: attach order, each chosen consumer moved to the end. */
    private final LinkedHashMap<String, Consumer> consumers = new LinkedHashMap<>();

    /** Adds a consumer last in the round; one already attached (a command applied twice) stays as it is. */
    void attach(String id, long prefetch, long priority, long attachedAt) {
        consumers.putIfAbsent(id, new Consumer(prefetch, priority, attachedAt));
    }

    /** The consumer, or null when it is not attached. */
    Consumer get(String id) {
        return consumers.get(id);
    }

    boolean contains(String id) {
        return consumers.containsKey(id);
    }

    void remove(String id) {
        consumers.remove(id);
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
     * The consumer that takes the next message, its in-flight count raised and moved to the end of the round; null
     * when none may take one (every consumer full, or the single active one full).
     */
    String take(boolean singleActive) {
        String chosen = null;
        Consumer best = null;
        for (Iterator<Map.Entry<String, Consumer>> it = consumers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Consumer> e = it.next();
            Consumer c = e.getValue();
            if (singleActive) {
                if (c.hasRoom()) {
                    chosen = e.getKey();
                    best = c;
                }
                break;
            }
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
        if (!singleActive) {
            consumers.remove(chosen); // to the end of the round
            consumers.put(chosen, best);
        }
        return chosen;
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
            Consumer c = new Consumer(prefetch, priority, attachedAt);
            c.inFlight = inFlight;
            round.consumers.put(id, c);
        }
        return round;
    }
}
