package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a command sent twice only once. A node's {@link QuorumSubmitter} sends a command again when its Raft client
 * gave up on a request that may have been committed all the same (the answer was lost, not the entry), so the same
 * command can be in a group's log twice. Applied twice, an enqueue would put a second copy of the message in the
 * queue, delivered without the redelivered flag as if it were a message of its own.
 *
 * <p>So every command carries its submitter's <em>origin</em> (a number drawn at each start of a node) and a
 * sequence number, and this filter remembers, per origin, the commands applied and the number each was answered
 * with: a command seen before is skipped and answered as the first time. What must be remembered is bounded by what
 * the submitter may still send again: each entry also carries the submitter's <em>floor</em>, below which every
 * command of the origin has been answered (and so will never be sent again), and the commands below it are
 * forgotten. That is at most the requests a group has in flight, a few thousand commands; an origin with nothing
 * left above its floor is dropped. An origin that stopped for good (its node restarted with a new one) keeps what it
 * had in flight when it stopped, which is as small.
 *
 * <p>Part of the group's state: every replica makes the same decisions from the same log, and a snapshot carries
 * it ({@link #write}, {@link #read}). Apply thread only.
 */
final class ResendFilter {
    /** Each origin's commands above its floor that were applied: sequence number to the answer. */
    private final Map<Long, TreeMap<Long, Long>> applied = new HashMap<>();

    /** Every command of {@code origin} below {@code floor} has been answered: none of them comes again. */
    void floor(long origin, long floor) {
        TreeMap<Long, Long> seen = applied.get(origin);
        if (seen != null) {
            seen.headMap(floor).clear();
            if (seen.isEmpty()) {
                applied.remove(origin);
            }
        }
    }

    /** The answer of {@code origin}'s command {@code seq} when it was applied before, else null. */
    Long answered(long origin, long seq) {
        TreeMap<Long, Long> seen = applied.get(origin);
        return seen == null ? null : seen.get(seq);
    }

    /** {@code origin}'s command {@code seq} was applied and answered {@code result}. */
    void applied(long origin, long seq, long result) {
        applied.computeIfAbsent(origin, o -> new TreeMap<>()).put(seq, result);
    }

    /** The commands remembered, over every origin. */
    int size() {
        return applied.values().stream().mapToInt(Map::size).sum();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(applied.size());
        for (Map.Entry<Long, TreeMap<Long, Long>> origin : applied.entrySet()) {
            out.writeLong(origin.getKey());
            out.writeInt(origin.getValue().size());
            for (Map.Entry<Long, Long> c : origin.getValue().entrySet()) {
                out.writeLong(c.getKey());
                out.writeLong(c.getValue());
            }
        }
    }

    /** Replaces what is remembered with what {@link #write} wrote. */
    void read(DataInputStream in) throws IOException {
        applied.clear();
        for (int origins = in.readInt(); origins > 0; origins--) {
            long origin = in.readLong();
            TreeMap<Long, Long> seen = new TreeMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                seen.put(in.readLong(), in.readLong());
            }
            applied.put(origin, seen);
        }
    }

    void clear() {
        applied.clear();
    }
}
