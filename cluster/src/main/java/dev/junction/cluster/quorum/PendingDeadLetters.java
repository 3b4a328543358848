package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;

/**
 * The messages one quorum queue has dead-lettered at least once (RabbitMQ "Quorum Queues", "Dead Lettering", and
 * its "at-least-once dead-lettering"): they left the ready messages but stay in the replicated state, so a node's
 * failure cannot lose them, until the dead-letter target has confirmed them and a settle in the log removes them.
 * They still count toward the queue's length limits (RabbitMQ keeps them in the source queue, where a reject-publish
 * limit refuses publishes while they wait). Every replica holds the same set, in id order; the group leader's node
 * republishes them ({@link DeadLetterRelay}). Used on the group's apply thread only.
 */
final class PendingDeadLetters {
    private final TreeMap<Long, PendingDeadLetter> messages = new TreeMap<>();
    private long bytes;

    /**
     * {@code m} left {@code queue} for {@code why} on a command of {@code origin}. At least once it is kept here until
     * its target confirmed it (every member is told it waits); at most once {@code origin}'s node publishes it,
     * once for the cluster, as before this set existed.
     */
    void deadLetter(String queue, HeldMessage m, String origin, QuorumEffects.Drop why, boolean atLeastOnce,
            QuorumEffects effects) {
        if (!atLeastOnce) {
            if (why == QuorumEffects.Drop.DELIVERY_LIMIT) {
                effects.deadLettered(queue, origin, m.body(), m.returns());
            } else {
                effects.dropped(queue, origin, m.body(), why);
            }
            return;
        }
        PendingDeadLetter p = PendingDeadLetter.of(m, why);
        put(p);
        effects.deadLetterPending(queue, p);
    }

    /** Removes the ids the target confirmed (those not held, settled before, are skipped); how many went. */
    int settle(String queue, long[] ids, QuorumEffects effects) {
        int n = 0;
        for (long id : ids) {
            PendingDeadLetter p = messages.remove(id);
            if (p != null) {
                bytes -= p.size();
                n++;
            }
        }
        if (n > 0) {
            effects.deadLettersSettled(queue, ids);
        }
        return n;
    }

    int count() {
        return messages.size();
    }

    /** Their bodies' bytes, as x-max-length-bytes counts them. */
    long bytes() {
        return bytes;
    }

    /** Every message waiting, in id order (a copy: the relay's thread reads it). */
    List<PendingDeadLetter> all() {
        return List.copyOf(messages.values());
    }

    private void put(PendingDeadLetter p) {
        PendingDeadLetter before = messages.put(p.id(), p);
        bytes += p.size() - (before == null ? 0 : before.size());
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(messages.size());
        for (PendingDeadLetter p : messages.values()) {
            p.write(out);
        }
    }

    /** Reads the set as {@link #write} wrote it; a snapshot taken before the set existed has none. */
    static PendingDeadLetters read(DataInputStream in, SnapshotFormat format) throws IOException {
        PendingDeadLetters s = new PendingDeadLetters();
        if (format.carriesPendingDeadLetters()) {
            for (int i = in.readInt(); i > 0; i--) {
                s.put(PendingDeadLetter.read(in));
            }
        }
        return s;
    }
}
