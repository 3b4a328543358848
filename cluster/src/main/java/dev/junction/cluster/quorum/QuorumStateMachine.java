package dev.junction.cluster.quorum;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One quorum group's state machine: the {@link QuorumQueueState} of every quorum queue placed on the group, built
 * by applying {@link QuorumCommand}s in log order on Ratis's apply thread. The state, message bodies included, is
 * this object's own (not the node's message store): the log is where a message is durable, and a snapshot (every
 * configured number of entries) holds the queues' state at its index, after which Ratis purges the log before it.
 * The reply to an entry is a number: the message id of an enqueue, the count of a purge.
 */
final class QuorumStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumStateMachine.class);

    private final QuorumEffects effects;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /**
     * By key; sorted so that a snapshot, and a command over every queue, see them in one order everywhere. Apply
     * thread only (snapshots are taken there, and a snapshot is loaded while nothing is applied).
     */
    private final Map<String, QuorumQueueState> queues = new TreeMap<>();
    /** Each queue's ready count after the last entry applied, for other threads (declare-ok, queue info). */
    private final Map<String, Integer> readyCounts = new ConcurrentHashMap<>();

    QuorumStateMachine(QuorumEffects effects) {
        this.effects = effects;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()));
    }

    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After the leader installed its snapshot on this member: the snapshot is the state. */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long result = 0;
        try {
            result = apply(QuorumCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray()),
                    entry.getIndex());
        } catch (RuntimeException e) {
            // An entry that cannot be applied must not stop the group: every later entry would wait behind it.
            LOG.error("quorum log entry {} could not be applied on this node", entry.getIndex(), e);
            result = -1;
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(Long.toString(result)));
    }

    /** Applies one command at log index {@code index}; the number the submitter gets back. */
    long apply(QuorumCommand c, long index) {
        long result = applyToState(c, index);
        if (c.op() == QuorumCommand.Op.DETACH_NODE) {
            queues.forEach((key, q) -> readyCounts.put(key, q.readyCount()));
        } else {
            QuorumQueueState q = queues.get(c.queue());
            if (q == null) {
                readyCounts.remove(c.queue());
            } else {
                readyCounts.put(c.queue(), q.readyCount());
            }
        }
        return result;
    }

    private long applyToState(QuorumCommand c, long index) {
        if (c.op() == QuorumCommand.Op.DETACH_NODE) {
            String keep = new String(c.body(), StandardCharsets.UTF_8);
            queues.values().forEach(q -> q.detachAll(c.consumer(), keep, c.number(), effects));
            effects.nodeDetached(c.consumer(), keep);
            return 0;
        }
        if (c.op() == QuorumCommand.Op.DECLARE) {
            queues.computeIfAbsent(c.queue(), QuorumQueueState::new).declare(c.number(),
                    c.ids().length > 0 && c.ids()[0] == 1);
            return 0;
        }
        QuorumQueueState q = queues.get(c.queue());
        if (q == null) {
            return -1; // deleted, or never declared: nothing to do, and the submitter is told
        }
        switch (c.op()) {
            case ENQUEUE -> q.enqueue(index, c.body(), effects);
            case ATTACH -> q.attach(c.consumer(), c.number(), index, effects);
            case SETTLE -> q.settle(c.consumer(), c.ids(), effects);
            case RETURN -> q.giveBack(c.consumer(), c.ids(), effects);
            case DETACH -> q.detach(c.consumer(), c.number() == 1, effects);
            case PURGE -> {
                return q.purge();
            }
            case DELETE -> queues.remove(c.queue());
            default -> throw new IllegalStateException("unhandled " + c.op());
        }
        return c.op() == QuorumCommand.Op.ENQUEUE ? index : 0;
    }

    /** The queue's ready count on this replica, or -1 when this replica does not hold it. Any thread. */
    int readyCount(String queue) {
        return readyCounts.getOrDefault(queue, -1);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(
                file.toPath())))) {
            out.writeInt(queues.size());
            for (Map.Entry<String, QuorumQueueState> e : queues.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().write(out);
            }
        }
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        queues.clear();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(
                file.toPath())))) {
            for (int i = in.readInt(); i > 0; i--) {
                String key = in.readUTF();
                queues.put(key, QuorumQueueState.read(key, in));
            }
        }
        readyCounts.clear();
        queues.forEach((key, q) -> readyCounts.put(key, q.readyCount()));
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("quorum group {} restored {} queues from the snapshot at {}", getGroupId(), queues.size(),
                snapshot.getTermIndex());
    }
}
