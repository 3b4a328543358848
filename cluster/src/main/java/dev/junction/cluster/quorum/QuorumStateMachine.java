package dev.junction.cluster.quorum;

import dev.junction.cluster.SnapshotFileStateMachine;
import dev.junction.routing.quorum.QuorumLog;
import dev.junction.routing.quorum.QuorumUsage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One quorum group's state machine: the {@link QuorumQueueState} of every quorum queue placed on the group, built
 * by applying {@link QuorumCommand}s in log order on Ratis's apply thread. The state, message bodies included, is
 * this object's own (not the node's message store): the log is where a message is durable, and a snapshot (every
 * configured number of entries) holds the queues' state at its index, after which Ratis purges the log before it.
 * An entry holds one command or a {@link QuorumBatch} of them; the reply is a number per command (the message id of
 * an enqueue, the count of a purge), comma-separated. A command in the log twice (sent again by its node) is applied
 * once ({@link ResendFilter}). After each entry it tells its {@link ExpiryTimer.HeadExpiries} when the queues it
 * changed next fall due (a head's TTL, x-expires), and it passes on this member's leadership, for the leader's
 * expiry timers.
 */
final class QuorumStateMachine extends SnapshotFileStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumStateMachine.class);

    private final QuorumEffects effects;
    /**
     * By key; sorted so that a snapshot, and a command over every queue, see them in one order everywhere. Apply
     * thread only (snapshots are taken there, and a snapshot is loaded while nothing is applied).
     */
    private final Map<String, QuorumQueueState> queues = new TreeMap<>();
    /** Each queue's ready count after the last entry applied, for other threads (declare-ok, queue info). */
    private final Map<String, Integer> readyCounts = new ConcurrentHashMap<>();
    /** The consumers attached to each queue, from any node, as applied here; read by any thread. */
    private final Map<String, Integer> consumerCounts = new ConcurrentHashMap<>();
    /** Each queue's messages checked out and not settled, as applied here; read by any thread. */
    private final Map<String, Integer> unsettledCounts = new ConcurrentHashMap<>();
    /** Each queue's dead letters waiting for their target's confirm, as applied here; read by any thread. */
    private final Map<String, Integer> deadLetterCounts = new ConcurrentHashMap<>();
    /**
     * The latest submitter's clock the log carried (epoch milliseconds; 0: none yet): the time x-message-ttl is
     * judged at, so every replica drops the same messages at the same entry whatever its own clock says. Never goes
     * back, though nodes' clocks differ. Apply thread only; in snapshots.
     */
    private long clock;
    /** The commands applied that their submitter may still send again. Apply thread only. */
    private final ResendFilter resends = new ResendFilter();
    private final ExpiryTimer.HeadExpiries heads;
    /** When each queue's head expires, as last told to {@link #heads} (none: -1). Apply thread only. */
    private final Map<String, Long> reportedHeads = new HashMap<>();
    /** The queues the entry being applied changed. Apply thread only. */
    private final Set<String> touched = new HashSet<>();

    QuorumStateMachine(QuorumEffects effects) {
        this(effects, ExpiryTimer.HeadExpiries.NONE);
    }

    QuorumStateMachine(QuorumEffects effects, ExpiryTimer.HeadExpiries heads) {
        this.effects = effects;
        this.heads = heads;
    }

    /**
     * Every member hears of each new leader: the expiry timers, and the republishing of pending dead letters, run on
     * the leader's node only.
     */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        boolean leading = member.getPeerId().equals(newLeader);
        heads.leading(leading);
        effects.leading(leading);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long[] results = applyEntry(entry.getStateMachineLogEntry().getLogData().toByteArray(), entry.getIndex());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(QuorumBatch.reply(results)));
    }

    /**
     * Applies the entry at log index {@code index}; a number per command. A command its submitter sent before, and
     * that was applied then, is not applied again and gets its first answer ({@link ResendFilter}).
     */
    long[] applyEntry(byte[] data, long index) {
        try {
            QuorumBatch.Entry e = QuorumBatch.decode(data);
            long[] results = new long[e.commands().size()];
            clock = Math.max(clock, e.time());
            if (e.seqs() != null) {
                resends.floor(e.origin(), e.floor());
            }
            for (int i = 0; i < results.length; i++) {
                Long before = e.seqs() == null ? null : resends.answered(e.origin(), e.seqs()[i]);
                if (before != null) {
                    results[i] = before;
                    continue;
                }
                results[i] = applySafely(e.commands().get(i), index, i);
                if (e.seqs() != null) {
                    resends.applied(e.origin(), e.seqs()[i], results[i]);
                }
            }
            reportHeads(touched);
            return results;
        } catch (RuntimeException e) {
            LOG.error("quorum log entry {} could not be read on this node", index, e);
            return new long[] {-1};
        }
    }

    /** The commands remembered to apply a resent one once; for tests. */
    int remembered() {
        return resends.size();
    }

    /** Applies the {@code place}-th command of the entry at {@code index}; -1 when it could not be. */
    private long applySafely(QuorumCommand c, long index, int place) {
        try {
            return apply(c, QuorumBatch.position(index, place));
        } catch (RuntimeException e) {
            // A command that cannot be applied must not stop the group: every later entry would wait behind it.
            LOG.error("quorum log entry {} (command {}) could not be applied on this node", index, place, e);
            return -1;
        }
    }

    /** Applies one command at log position {@code position}; the number the submitter gets back. */
    long apply(QuorumCommand c, long position) {
        long result = applyToState(c, position);
        if (c.op() == QuorumCommand.Op.DETACH_NODE) {
            queues.forEach(this::counted);
            touched.addAll(queues.keySet());
        } else {
            touched.add(c.queue());
            QuorumQueueState q = queues.get(c.queue());
            if (q == null) {
                readyCounts.remove(c.queue());
                consumerCounts.remove(c.queue());
                unsettledCounts.remove(c.queue());
                deadLetterCounts.remove(c.queue());
            } else {
                counted(c.queue(), q);
            }
        }
        return result;
    }

    /**
     * Tells {@link #heads} when the head of each of {@code keys} now expires, for those that changed since last
     * told (a queue gone or without a TTL: -1), and forgets {@code keys}.
     */
    private void reportHeads(Set<String> keys) {
        Map<String, Long> changed = null;
        for (String key : keys) {
            QuorumQueueState q = queues.get(key);
            long at = q == null ? -1 : q.nextDueAt();
            if (reportedHeads.getOrDefault(key, -1L) != at) {
                if (changed == null) {
                    changed = new HashMap<>();
                }
                changed.put(key, at);
                if (at < 0) {
                    reportedHeads.remove(key);
                } else {
                    reportedHeads.put(key, at);
                }
            }
        }
        keys.clear();
        if (changed != null) {
            heads.heads(changed);
        }
    }

    private void counted(String key, QuorumQueueState q) {
        readyCounts.put(key, q.readyCount());
        consumerCounts.put(key, q.consumerCount());
        unsettledCounts.put(key, q.unsettledCount());
        deadLetterCounts.put(key, q.deadLetters().count());
    }

    private long applyToState(QuorumCommand c, long position) {
        if (c.op() == QuorumCommand.Op.DETACH_NODE) {
            String keep = new String(c.body(), StandardCharsets.UTF_8);
            // number: a log index (the leader's last applied), and consumers' attach places are positions.
            long before = QuorumBatch.position(c.number(), 0);
            for (QuorumQueueState q : queues.values()) {
                int attached = q.consumerCount();
                q.detachAll(c.consumer(), keep, before, effects);
                if (q.consumerCount() != attached) {
                    q.used(clock); // its last consumer may have gone: x-expires counts from now
                }
            }
            effects.nodeDetached(c.consumer(), keep);
            return 0;
        }
        if (c.op() == QuorumCommand.Op.DECLARE) {
            QuorumQueueState q = queues.computeIfAbsent(c.queue(), QuorumQueueState::new);
            q.declare(c.number(), c.ids().length > 0 && c.ids()[0] == 1, QueueLimits.declared(c.ids()));
            q.used(clock); // a declaration renews x-expires, as RabbitMQ's redeclaration does
            q.declared(c.consumer(), effects); // one written before declarations named their node: ""
            return 0;
        }
        QuorumQueueState q = queues.get(c.queue());
        if (q == null) {
            return -1; // deleted, or never declared: nothing to do, and the submitter is told
        }
        // Expired messages leave before the command could hand them out, and after it (an enqueue with a TTL of 0
        // no consumer took, a return past its TTL); the command's node dead-letters them.
        // A message past its own expiration behind the head expires as it reaches the head, and is handed to no one.
        int expired = q.expire(clock, c.consumer(), effects);
        try {
            if (c.op() == QuorumCommand.Op.EXPIRE) {
                // The leader's timer: what was due has gone, at the logged time.
                long unusedUntil = q.unusedExpiresAt();
                if (unusedUntil > 0 && clock >= unusedUntil) {
                    // x-expires (RabbitMQ "Queue TTL"): unused that long, the queue is deleted. The definition is
                    // in the metadata log, which this log cannot change: the timer's node deletes the queue there,
                    // and its deletion deletes this state. Counted as a use, so a deletion that does not happen
                    // (refused, no majority) is asked again only after another period.
                    q.used(clock);
                    effects.unused(c.queue(), c.consumer());
                    return expired + 1;
                }
                return expired;
            }
            long result = applyToQueue(q, c, position);
            if (c.op() != QuorumCommand.Op.DELETE) {
                q.expire(clock, c.consumer(), effects);
            }
            return result;
        } finally {
            q.judged();
        }
    }

    private long applyToQueue(QuorumQueueState q, QuorumCommand c, long position) {
        switch (c.op()) {
            case ENQUEUE -> {
                long publishedAt = c.ids().length < 2 ? 0 : c.ids()[1];
                // The message's own expiration counts from its publish time, as x-message-ttl does, or from the
                // log's clock at this entry for an enqueue without one: the log's times alone, on every replica.
                long expiresAt = MessageExpiry.of(c.body(), publishedAt > 0 ? publishedAt : clock);
                long size = c.ids().length < 2 ? c.body().length : c.ids()[0];
                return q.enqueue(position, c.body(), size, publishedAt, expiresAt, c.consumer(), effects);
            }
            // An attach written before priorities were carried has none: 0, as every consumer had then; one written
            // before exclusivity was is not exclusive. Decided here, in log order, so every node refuses alike.
            case ATTACH -> {
                boolean exclusive = c.ids().length > 1 && c.ids()[1] == 1;
                if (!q.attach(c.consumer(), c.number(), c.ids().length > 0 ? c.ids()[0] : 0, exclusive, position,
                        effects)) {
                    return QuorumLog.IN_EXCLUSIVE_USE;
                }
                q.used(clock);
            }
            case SETTLE -> q.settle(c.consumer(), c.ids(), effects);
            case RETURN -> q.giveBack(c.consumer(), c.ids(), effects);
            case REJECT -> q.reject(c.consumer(), c.ids(), effects);
            case SETTLE_DEAD_LETTERED -> {
                return q.deadLetters().settle(c.queue(), c.ids(), effects);
            }
            case DETACH -> {
                q.detach(c.consumer(), c.number() == 1, effects);
                q.used(clock); // the last consumer gone: x-expires counts from now
            }
            case PURGE -> {
                return q.purge();
            }
            case CHECKOUT -> {
                q.used(clock); // basic.get is a use (RabbitMQ "Queue TTL")
                return q.checkout(c.consumer(), c.number() == 1, effects);
            }
            case USAGE -> {
                boolean readyOnly = c.number() == QuorumUsage.Counted.READY.ordinal();
                return QuorumCommand.usage(q.consumerCount(), q.readyCount() + (readyOnly ? 0 : q.unsettledCount()));
            }
            case DELETE -> {
                queues.remove(c.queue());
                if (q.deadLetters().count() > 0) {
                    // Gone with the queue, as RabbitMQ's are: nothing is left to republish them from.
                    LOG.info("quorum queue '{}' deleted with {} dead letters its target had not confirmed",
                            c.queue().replace('\0', '/'), q.deadLetters().count());
                    effects.deadLettersReplaced(c.queue(), List.of());
                }
            }
            default -> throw new IllegalStateException("unhandled " + c.op());
        }
        return 0;
    }

    /** The queue's ready count on this replica, or -1 when this replica does not hold it. Any thread. */
    int readyCount(String queue) {
        return readyCounts.getOrDefault(queue, -1);
    }

    /** The consumers attached to the queue from every node, as this replica knows them, or -1. Any thread. */
    int consumerCount(String queue) {
        return consumerCounts.getOrDefault(queue, -1);
    }

    /** The queue's messages checked out and not settled on this replica, or -1. Any thread. */
    int unsettledCount(String queue) {
        return unsettledCounts.getOrDefault(queue, -1);
    }

    /** The queue's dead letters its target has not confirmed yet, on this replica, or -1. Any thread. */
    int deadLetterCount(String queue) {
        return deadLetterCounts.getOrDefault(queue, -1);
    }

    @Override
    protected void writeSnapshot(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(SnapshotFormat.CURRENT.marker());
            out.writeLong(clock);
            out.writeInt(queues.size());
            for (Map.Entry<String, QuorumQueueState> e : queues.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().write(out);
            }
            resends.write(out);
        }
    }

    /** This member's own snapshot or one the leader installed: either way the snapshot is the state. */
    @Override
    protected void readSnapshot(Path file, TermIndex at, boolean installed) throws IOException {
        queues.clear();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int first = in.readInt();
            SnapshotFormat format = SnapshotFormat.of(first);
            clock = format.carriesLimits() ? in.readLong() : 0;
            for (int i = format.carriesLimits() ? in.readInt() : first; i > 0; i--) {
                String key = in.readUTF();
                queues.put(key, QuorumQueueState.read(key, in, format));
            }
            try {
                resends.read(in);
            } catch (EOFException before) {
                resends.clear(); // a snapshot taken before commands carried sequence numbers
            }
        }
        readyCounts.clear();
        consumerCounts.clear();
        unsettledCounts.clear();
        deadLetterCounts.clear();
        queues.forEach(this::counted);
        // The restored queues' dead letters replace whatever this node knew pending: a leader republishes them.
        effects.deadLettersRestored();
        queues.forEach((key, q) -> {
            if (q.deadLetters().count() > 0) {
                effects.deadLettersReplaced(key, q.deadLetters().all());
            }
        });
        touched.addAll(reportedHeads.keySet());
        touched.addAll(queues.keySet());
        reportHeads(touched);
        LOG.info("quorum group {} restored {} queues from the snapshot at {}", getGroupId(), queues.size(), at);
    }
}
