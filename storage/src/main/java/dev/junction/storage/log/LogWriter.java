package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The single thread that owns the store's files. It takes the commands callers queued, appends their records,
 * forces the files as the {@link FsyncPolicy} says, then completes the commands' futures (on this thread, holding
 * no lock). Afterwards it deletes the oldest segments once nothing in them is live and rewrites the metadata log
 * when it is mostly dead.
 *
 * <p>Between groups it compacts: when the sealed segments hold more dead bytes than live ones (and at least two
 * segments' worth), it walks the oldest segment a bounded step at a time and writes the messages still live there
 * again at the head of the log, so that the oldest segment empties and prefix deletion can go on.
 */
final class LogWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    /** Test hook around each fsync. */
    interface SyncHook {
        void beforeForce() throws java.io.IOException;

        void afterForce();
    }

    /** Test hook before a segment file is deleted; false keeps it (and every newer one) for now. */
    interface DeleteHook {
        boolean mayDelete(Segment segment);
    }

    private final CommandQueue commands;
    private final FsyncPolicy policy;
    private final LogStoreSettings settings;
    private final long maxWaitNanos;
    private final WriteFailure failure = new WriteFailure();
    private final FileSync sync;
    private final SegmentFiles segments;
    private final MetaLog meta;
    private final Compactor compactor;

    /** How often the writer tries again to write during an incident, with or without new commands. */
    static final long REPAIR_EVERY_NANOS = 500_000_000L;

    private final List<Cmd> group = new ArrayList<>();
    /** Whether the open group holds anything but removals, so that its fsync may not wait (see holdNanos). */
    private boolean groupOwesConfirm;
    private long lastRepair;
    private final List<Msg> groupMessages = new ArrayList<>();
    private long groupStart;
    private final ArrayDeque<Msg> cache = new ArrayDeque<>();
    private long cacheBytes;
    private long[] evicted = new long[256];
    private final MessageLocations index;
    /** Commands processed so far, in the order the store queued them. */
    private long processed;

    // statistics, read by any thread
    final WriterStats stats = new WriterStats();

    LogWriter(MessageLocations index, CommandQueue commands, Path dir, FsyncPolicy policy, LogStoreSettings settings,
              Recovery recovered, MetaAccess metaAccess) throws IOException {
        this.index = index;
        this.commands = commands;
        this.policy = policy;
        this.settings = settings;
        this.maxWaitNanos = policy.maxWait().toNanos();
        RecordAppender appender = new RecordAppender();
        this.sync = new FileSync(dir, policy, stats);
        this.segments = new SegmentFiles(index, dir, settings, recovered, appender, sync, stats, failure);
        this.meta = new MetaLog(dir, settings, recovered, appender, sync, stats, failure, metaAccess);
        this.compactor = new Compactor(index, segments, settings, stats, failure);
        segments.startFresh();
        segments.reclaim(compactor);
    }

    boolean writable() {
        return failure.writable();
    }

    void syncHook(SyncHook hook) {
        sync.syncHook = hook;
    }

    void deleteHook(DeleteHook hook) {
        segments.deleteHook = hook;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            // An Error or a bug escaped the write path. Callers wait on futures only this thread completes, so it
            // must not just die: fail what it holds and everything queued later, until the store is closed.
            failure.fail(t);
            failEverything();
        }
    }

    private void failEverything() {
        Throwable failed = failure.get();
        group.forEach(c -> c.future().completeExceptionally(failed));
        group.clear();
        groupMessages.clear();
        ArrayDeque<Cmd> cmds;
        while ((cmds = commands.take(true)) != null) {
            cmds.forEach(c -> c.future().completeExceptionally(failed));
        }
        try {
            closeFiles();
        } catch (RuntimeException | Error e) {
            LOG.warn("could not close the store's files after the failure: {}", e.toString());
        }
    }

    private void loop() {
        while (true) {
            // Wait for commands only when no group is open and there is no compaction to get on with, or while a
            // group of removals waits for company.
            long hold = holdNanos();
            boolean wait = hold > 0 || group.isEmpty() && compactor.idle(processed);
            long timeout = hold > 0 ? hold : failure.incident() ? REPAIR_EVERY_NANOS : 0;
            ArrayDeque<Cmd> cmds = commands.take(wait, timeout);
            if (cmds == null) {
                break;
            }
            if (failure.incident() && group.isEmpty()) {
                repairSoon();
            }
            if (cmds.isEmpty()) {
                endGroup(); // nothing more arrived while this group was written: sync it
            } else {
                for (Cmd c : cmds) {
                    process(c);
                    if (group.size() >= policy.maxMessages()) {
                        endGroup();
                    }
                }
                if (!group.isEmpty() && (maxWaitNanos == 0 || System.nanoTime() - groupStart >= maxWaitNanos)) {
                    endGroup();
                }
            }
            if (group.isEmpty()) {
                compactor.step(processed); // bounded, so the next commands wait at most one step
            }
        }
        endGroup();
        closeFiles();
    }

    /**
     * How long the open group may still wait before its fsync: positive only in {@link FsyncPolicy.Mode#GROUP}
     * for a group of removals alone, up to {@code maxWait} after its first command. Nothing a client was promised
     * waits on a removal (an ack or a purge is answered without it; a lost removal only delivers the message
     * again), so its fsync waits for the next write that needs one: one fsync then covers an ack and the next
     * publish, instead of the publish queuing behind an fsync of the ack alone.
     */
    private long holdNanos() {
        if (group.isEmpty() || groupOwesConfirm || maxWaitNanos == 0 || policy.mode() != FsyncPolicy.Mode.GROUP
                || failure.incident() || failure.fatal()) {
            return 0;
        }
        return Math.max(0, groupStart + maxWaitNanos - System.nanoTime());
    }

    // ---- one command ---------------------------------------------------------------------------------------

    private void process(Cmd c) {
        if (group.isEmpty()) {
            groupStart = System.nanoTime();
        }
        group.add(c);
        processed++;
        if (!(c instanceof Cmd.Remove || c instanceof Cmd.RemoveMany || c instanceof Cmd.RemoveQueue)) {
            groupOwesConfirm = true;
        }
        if (failure.fatal()) {
            return; // failed with the group
        }
        // During an incident the records are still appended: they wait in the files' redo copies, so that the
        // files hold exactly what the index says once the store writes again.
        try {
            // An instanceof chain over the sealed type: the build targets Java 17, where a pattern switch is a
            // preview feature. A new command type falls through to the last branch.
            if (c instanceof Cmd.Message m) {
                segments.appendMessage(m);
                groupMessages.add(m.msg());
            } else if (c instanceof Cmd.Remove r) {
                segments.appendRemoval(r);
            } else if (c instanceof Cmd.RemoveMany r) {
                segments.appendRemovals(r);
            } else if (c instanceof Cmd.RemoveQueue r) {
                segments.appendQueueRemoval(r);
            } else if (c instanceof Cmd.IdMark m) {
                segments.appendIdMark(m);
            } else if (c instanceof Cmd.Meta m) {
                meta.append(m);
            } else if (!(c instanceof Cmd.Barrier)) { // a barrier writes nothing
                throw new IllegalStateException("unknown command " + c);
            }
        } catch (IOException | RuntimeException e) {
            failure.fail(e);
        }
    }

    // ---- end of a group: write, force, complete --------------------------------------------------------------

    private void endGroup() {
        if (group.isEmpty()) {
            return;
        }
        if (!failure.fatal()) {
            try {
                segments.flushIfDirty();
                meta.flushIfDirty();
                segments.forceIfDirty();
                meta.forceIfDirty();
                if (failure.incident()) {
                    repairSoon();
                }
                if (!failure.failed()) {
                    segments.markClean();
                    meta.markClean();
                }
            } catch (IOException | RuntimeException e) {
                failure.fail(e);
            }
        }
        Throwable failed = failure.get();
        if (failed != null) {
            failure.countFailed(group.size());
        }
        for (Cmd c : group) {
            if (failed == null) {
                c.future().complete(null);
            } else {
                c.future().completeExceptionally(failed);
            }
        }
        group.clear();
        groupOwesConfirm = false;
        cacheWritten();
        if (failed == null) {
            segments.reclaim(compactor);
            meta.maybeCompact();
        }
    }

    /**
     * During an incident, at most every {@link #REPAIR_EVERY_NANOS}: writes again what the files are owed. Once
     * both are whole and durable, the incident is over, and whatever the current group wrote is durable too.
     */
    private void repairSoon() {
        long now = System.nanoTime();
        if (now - lastRepair < REPAIR_EVERY_NANOS) {
            return;
        }
        lastRepair = now;
        if (segments.repair() && meta.repair()) {
            segments.markClean();
            meta.markClean();
            failure.resumed();
            cacheWritten();
            segments.reclaim(compactor);
        }
    }

    /** Keeps the newest written payloads on the heap up to the cache budget, and lets go of the rest. */
    private void cacheWritten() {
        long budget = settings.cacheBytes();
        if (failure.fatal()) {
            groupMessages.clear(); // the bytes may not be on disk: keep serving reads from memory
            return;
        }
        if (failure.incident()) {
            return; // the bytes are not on disk yet: keep them on the heap, and cache them once they are
        }
        int n = 0;
        for (Msg m : groupMessages) {
            if (budget == 0) {
                n = evict(n, m.id);
            } else {
                cache.addLast(m);
                cacheBytes += m.payloadLength();
            }
        }
        groupMessages.clear();
        while (cacheBytes > budget && !cache.isEmpty()) {
            Msg m = cache.pollFirst();
            cacheBytes -= m.payloadLength();
            n = evict(n, m.id);
        }
        if (n > 0) {
            index.evict(evicted, n);
        }
    }

    private int evict(int n, long id) {
        if (n == evicted.length) {
            evicted = java.util.Arrays.copyOf(evicted, n * 2);
        }
        evicted[n] = id;
        return n + 1;
    }

    private void closeFiles() {
        try {
            if (!failure.failed()) {
                segments.flush();
                meta.flush();
                segments.forceOnClose();
                meta.forceOnClose();
            }
        } catch (IOException e) {
            LOG.warn("could not flush the store on close: {}", e.toString());
        }
        segments.closeOutput();
        meta.closeFile();
        segments.closeReaders();
        compactor.close();
    }
}
