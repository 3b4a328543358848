package dev.junction.cluster;

import dev.junction.storage.Definition;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata group's state machine: each committed entry is a {@link MetadataCommand} handed to this node's
 * {@link Target}, one at a time in log order on Ratis's apply thread. The state it builds is the node's own
 * engine and local definition store, not a copy kept here, so a restart replays the log into an engine that
 * already recovered the same definitions from its store, which declares nothing twice. A snapshot (taken by
 * Ratis every configured number of entries, on the same thread) is the replicated definitions at its index;
 * one installed by the leader on a node that fell behind its purged log makes the node's definitions exactly
 * the snapshot's. Client-id entries ({@link ClientIdCommand}) go to the owner registry ({@link ClientIdOwners}), which
 * lives here only, in memory, and is in the snapshot too; retained-message entries ({@link RetainedCommand}) go to
 * the node's retained store ({@link ReplicatedRetainedStore}), and the snapshot holds those it replicates; the
 * sessions' exactly-once entries ({@link ExactlyOnceCommand}) go to {@link ReplicatedExactlyOnceIds}, in memory like
 * the owner registry, and in the snapshot too.
 */
final class MetadataStateMachine extends SnapshotFileStateMachine {

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
    private final ClientIdOwners owners;
    private final ReplicatedRetainedStore retained;
    private final ReplicatedExactlyOnceIds exactlyOnce;
    private final java.util.concurrent.atomic.AtomicLong leaderChanges = new java.util.concurrent.atomic.AtomicLong();

    MetadataStateMachine(Target target, ClientIdOwners owners, ReplicatedRetainedStore retained,
                         ReplicatedExactlyOnceIds exactlyOnce) {
        this.target = target;
        this.owners = owners;
        this.retained = retained;
        this.exactlyOnce = exactlyOnce;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        try {
            byte[] payload = entry.getStateMachineLogEntry().getLogData().toByteArray();
            if (ClientIdCommand.is(payload)) {
                owners.apply(ClientIdCommand.decode(payload));
            } else if (RetainedCommand.is(payload)) {
                retained.apply(RetainedCommand.decode(payload));
            } else if (ExactlyOnceCommand.is(payload)) {
                exactlyOnce.apply(ExactlyOnceCommand.decode(payload));
            } else {
                target.apply(MetadataCommand.decode(payload));
            }
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
    protected void writeSnapshot(Path file) throws IOException {
        MetadataSnapshot.write(file, target.snapshot(), owners.snapshot(), retained.replicated(),
                exactlyOnce.snapshot());
        LOG.debug("metadata snapshot to {}", file);
    }

    /** A missing snapshot file is skipped: the log is replayed instead. */
    @Override
    protected boolean readable(File file) {
        if (!file.exists()) {
            LOG.warn("metadata snapshot {} is missing; replaying the log instead", file);
            return false;
        }
        return true;
    }

    /**
     * This node's own snapshot: its store already holds at least that (and what was applied after it, which the log
     * replays), so nothing is deleted, which would drop a classic queue's messages. One the leader installed is
     * exactly the definitions.
     */
    @Override
    protected void readSnapshot(Path file, TermIndex at, boolean installed) throws IOException {
        MetadataSnapshot.Contents contents = MetadataSnapshot.readAll(file);
        target.restore(contents.definitions(), installed);
        owners.restore(contents.clientIds());
        retained.restore(contents.retained(), installed);
        exactlyOnce.restore(contents.exactlyOnce());
        LOG.info("metadata restored from the snapshot at {}", at);
    }
}
