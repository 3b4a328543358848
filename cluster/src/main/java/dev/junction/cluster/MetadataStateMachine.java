package dev.junction.cluster;

import dev.junction.storage.Definition;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
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
 * The metadata group's state machine: each committed entry is a {@link MetadataCommand} handed to this node's
 * {@link Target}, one at a time in log order on Ratis's apply thread. The state it builds is the node's own
 * engine and local definition store, not a copy kept here, so a restart replays the log into an engine that
 * already recovered the same definitions from its store, which declares nothing twice. A snapshot (taken by
 * Ratis every configured number of entries, on the same thread) is the replicated definitions at its index;
 * one installed by the leader on a node that fell behind its purged log makes the node's definitions exactly
 * the snapshot's.
 */
final class MetadataStateMachine extends BaseStateMachine {

    /** Where the entries and snapshots go: this node's store and engine. */
    interface Target {
        void apply(MetadataCommand command);

        /** The replicated definitions as applied so far. */
        List<Definition> snapshot();

        /**
         * Puts every one of {@code definitions}; with {@code exactly}, first deletes what this node holds beyond
         * them.
         */
        void restore(List<Definition> definitions, boolean exactly);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final Target target;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final java.util.concurrent.atomic.AtomicLong leaderChanges = new java.util.concurrent.atomic.AtomicLong();

    MetadataStateMachine(Target target) {
        this.target = target;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        // This node's own snapshot: its store already holds at least that (and what was applied after it, which
        // the log replays), so nothing is deleted, which would drop a classic queue's messages.
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot(), false));
    }

    /** Before the leader installs a snapshot: Ratis reloads only a paused state machine. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After the leader installed its snapshot: the entries before it are gone, the snapshot is the state. */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot(), true);
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
        try {
            target.apply(MetadataCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray()));
        } catch (RuntimeException e) {
            // An entry this node cannot apply must not stop the log: every later entry would wait behind it.
            LOG.error("metadata log entry {} could not be applied on this node", entry.getIndex(), e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** Counted for the metrics: each leader change this node learns of is an election that ended with a leader. */
    @Override
    public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member, RaftPeerId newLeader) {
        leaderChanges.incrementAndGet();
    }

    long leaderChanges() {
        return leaderChanges.get();
    }

    /** A linearizable read (MetadataLog#readBarrier) asks nothing: Ratis calls this once this node is current. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        MetadataSnapshot.write(file.toPath(), target.snapshot());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        LOG.debug("metadata snapshot at {}", last);
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot, boolean exactly) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (!file.exists()) {
            LOG.warn("metadata snapshot {} is missing; replaying the log instead", file);
            return;
        }
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        target.restore(MetadataSnapshot.read(file.toPath()), exactly);
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("metadata restored from the snapshot at {}", snapshot.getTermIndex());
    }
}
