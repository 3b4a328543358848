package dev.junction.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * A Ratis state machine whose snapshot is one file with its MD5 beside it, in Ratis's own snapshot directory: the
 * metadata group's and each quorum group's. This class keeps the file's life (taken at the last applied index,
 * loaded at start and again after the leader installed one) and the life cycle Ratis asks for; the subclass says
 * what goes in the file.
 */
public abstract class SnapshotFileStateMachine extends BaseStateMachine {

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    /** Writes the state as applied so far to {@code file}; on the apply thread. */
    protected abstract void writeSnapshot(Path file) throws IOException;

    /**
     * Makes {@code file}'s content, whose MD5 was checked, the state at {@code at}. {@code installed}: the leader
     * installed it on this node, which fell behind the leader's purged log; otherwise it is this node's own, read at
     * start.
     */
    protected abstract void readSnapshot(Path file, TermIndex at, boolean installed) throws IOException;

    /** Whether the snapshot file can be read at all; a subclass may skip a missing one. */
    protected boolean readable(File file) {
        return true;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
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
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        writeSnapshot(file.toPath());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot, boolean installed) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (!readable(file)) {
            return;
        }
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        readSnapshot(file.toPath(), snapshot.getTermIndex(), installed);
        setLastAppliedTermIndex(snapshot.getTermIndex());
    }
}
