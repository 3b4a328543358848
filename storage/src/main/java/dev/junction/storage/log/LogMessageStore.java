package dev.junction.storage.log;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durable {@link MessageStore}: an append-only log of segment files written by one thread.
 *
 * <p>Callers never touch the disk when they change something. Under one short lock they update the in-memory
 * index (queue → message ids, id → location) and queue a command for the writer thread
 * ({@value #WRITER_THREAD}), which appends the records, forces the files as the {@link FsyncPolicy} says and then
 * completes the futures on its own thread, holding no lock. Dependent stages attached to those futures therefore
 * run on the writer thread and must be quick and never block.
 *
 * <p>A message body is written once, with the ids of the queues it was routed to; acks are small REMOVE
 * records. The oldest segment is deleted once none of its messages is referenced any more, so disk use follows
 * the backlog under FIFO consumption. When a few unconsumed messages pin the oldest segment while dead segments
 * pile up behind it, the writer compacts: it writes those messages again at the head of the log (same ids, so
 * every queue keeps its order) and then deletes the segment. Definitions, retained messages and sessions go to a
 * separate small metadata log that is rewritten when it is mostly dead. {@link #read} reads bodies back from
 * disk; the index holds only ids and locations, plus a bounded cache of recently written bodies. See
 * {@code docs/storage.md}.
 */
public final class LogMessageStore implements MessageStore {

    static final String WRITER_THREAD = "junction-store-writer";
    private static final String LOCK_FILE = "LOCK";

    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final CommandQueue commands = new CommandQueue(lock);
    // the index, guarded by lock
    private final MessageIndex index;
    private final BodyReader bodies = new BodyReader(this);

    private final LogWriter writer;
    private final Thread writerThread;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final long recoveryMillis;

    private final DefinitionStore definitionView;
    private final RetainedStore retainedView;
    private final MetaReader metaReader;
    private final MetaAccess metaAccess;
    private final SessionStore sessionView;

    private LogMessageStore(Path dir, FsyncPolicy policy, LogStoreSettings settings, FileChannel lockChannel,
                            FileLock dirLock) throws IOException {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.dirLock = dirLock;
        long t0 = System.nanoTime();
        Recovery r = Recovery.run(dir);
        this.index = new MessageIndex(r);
        MetaAccess meta = new MetaAccess(lock, commands, r.meta);
        this.definitionView = new LogDefinitionStore(meta);
        this.metaAccess = meta;
        this.metaReader = new MetaReader(dir);
        this.retainedView = new LogRetainedStore(meta, metaReader);
        this.sessionView = new LogSessionStore(meta);
        this.writer = new LogWriter(this, commands, dir, policy, settings, r, meta);
        this.recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        this.writerThread = new Thread(writer, WRITER_THREAD);
        writerThread.setDaemon(true);
        writerThread.start();
    }

    /** Opens (creating if needed) the store in {@code dir} with default settings. */
    public static LogMessageStore open(Path dir, FsyncPolicy policy) {
        return open(dir, policy, LogStoreSettings.defaults());
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, recovering whatever it holds. Corrupt records are
     * quarantined, never fatal. Throws {@link UncheckedIOException} when the directory cannot be used and
     * {@link IllegalStateException} when another store has it open.
     */
    public static LogMessageStore open(Path dir, FsyncPolicy policy, LogStoreSettings settings) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(settings, "settings");
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock dirLock = lockChannel.tryLock();
            if (dirLock == null) {
                throw new IllegalStateException("store directory " + dir + " is in use by another process");
            }
            return new LogMessageStore(dir, policy, settings, lockChannel, dirLock);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot open the store in " + dir, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }


    // ---- messages ------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queueKeys) {
        Objects.requireNonNull(message, "message");
        byte[] data = Objects.requireNonNull(message.data(), "message.data");
        Set<QueueKey> targets = new LinkedHashSet<>(queueKeys);
        targets.forEach(q -> Objects.requireNonNull(q, "queue"));
        long id = message.id();
        if (id < 1) {
            throw new IllegalArgumentException("message ids are positive: " + id);
        }
        int n = targets.size();
        Cmd cmd;
        if (n == 0) {
            cmd = new Cmd(Cmd.ID_MARK, Records.ID_MARK, ByteBuffer.allocate(8).putLong(id).array());
        } else {
            // The payload doubles as the defensive copy; queue ids are filled in under the lock.
            byte[] payload = new byte[16 + 4 * n + data.length];
            ByteBuffer.wrap(payload).putLong(id).putInt(n).position(12 + 4 * n).putInt(data.length).put(data);
            cmd = new Cmd(Cmd.MESSAGE, Records.MESSAGE, payload);
            cmd.msg = new Msg(id, payload);
            cmd.queues = new QueueState[n];
        }
        lock.lock();
        try {
            commands.checkOpen();
            if (n > 0) {
                index.add(cmd, targets);
            }
            index.raiseHighestId(id);
            commands.enqueue(cmd);
        } finally {
            lock.unlock();
        }
        return cmd.future;
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
        Objects.requireNonNull(queue, "queue");
        lock.lock();
        try {
            commands.checkOpen();
            Cmd cmd = index.remove(queue, messageId);
            return commands.enqueue(cmd != null ? cmd : Cmd.barrier());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long[] messageIds) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(messageIds, "messageIds");
        lock.lock();
        try {
            commands.checkOpen();
            Cmd cmd = index.removeMany(queue, messageIds);
            return commands.enqueue(cmd != null ? cmd : Cmd.barrier());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        lock.lock();
        try {
            commands.checkOpen();
            Cmd cmd = index.removeQueue(queue);
            return commands.enqueue(cmd != null ? cmd : Cmd.barrier());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        List<Pick> picked = new ArrayList<>(Math.min(max, 1024));
        lock.lock();
        try {
            commands.checkOpen();
            if (max == 0 || !index.pick(queue, afterId, max, picked)) {
                return List.of();
            }
        } finally {
            lock.unlock();
        }
        return bodiesOf(picked);
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(ids, "ids");
        List<Pick> picked = new ArrayList<>(ids.length);
        lock.lock();
        try {
            commands.checkOpen();
            index.pick(queue, ids, picked);
        } finally {
            lock.unlock();
        }
        return bodiesOf(picked);
    }

    @Override
    public IdPage ids(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        lock.lock();
        try {
            commands.checkOpen();
            return index.ids(queue, afterId, max);
        } finally {
            lock.unlock();
        }
    }

    /** Reads the bodies without the lock, so a long read never holds up publishers. */
    private List<StoredMessage> bodiesOf(List<Pick> picked) {
        List<StoredMessage> page = new ArrayList<>(picked.size());
        for (Pick p : picked) {
            byte[] data = bodies.body(p);
            if (data != null) {
                page.add(new StoredMessage(p.id(), data));
            }
        }
        return page;
    }

    @Override
    public long count(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        lock.lock();
        try {
            commands.checkOpen();
            return index.count(queue);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<QueueKey> queues() {
        lock.lock();
        try {
            commands.checkOpen();
            return index.liveQueues();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long highestMessageId() {
        lock.lock();
        try {
            commands.checkOpen();
            return index.highestId();
        } finally {
            lock.unlock();
        }
    }

    // ---- definitions, retained messages, sessions -------------------------------------------------------------

    @Override
    public DefinitionStore definitions() {
        checkOpenUnlocked();
        return definitionView;
    }

    @Override
    public RetainedStore retained() {
        checkOpenUnlocked();
        return retainedView;
    }

    @Override
    public SessionStore sessions() {
        checkOpenUnlocked();
        return sessionView;
    }

    // ---- compaction support (called by the writer) -------------------------------------------------------

    /**
     * Called by the writer: of the records {@code found} in {@code segment}, those that still hold a live
     * message, each with the queues that reference it at this instant. Every command queued before this call is
     * already in that answer, so the copies may be written ahead of those still waiting: replaying a waiting
     * removal after a copy that no longer lists its queue changes nothing.
     */
    List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found, long[] enqueuedOut) {
        lock.lock();
        try {
            enqueuedOut[0] = commands.enqueued();
            return index.liveCopies(segment, found);
        } finally {
            lock.unlock();
        }
    }

    /** Called by the writer once the copies are in the file: readers find the messages there from now on. */
    void moved(List<Compactor.Copy> copies) {
        locked(() -> index.moved(copies));
    }

    /** Called by the writer once a message's record is appended. */
    void located(long id, Segment segment, long offset, int length) {
        locked(() -> index.located(id, segment, offset, length));
    }

    /** Called by the writer once a removal that dropped the last references of {@code ids} is appended. */
    void free(long[] ids, SegmentFiles.LiveCounter uncount) {
        locked(() -> index.free(ids, uncount));
    }

    /** Called by the writer for the written payloads it stops caching. */
    void evict(long[] ids, int n) {
        locked(() -> index.evict(ids, n));
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /** Where to read message {@code id} now (a reader whose segment was deleted under it asks again). */
    Pick repick(long id) {
        lock.lock();
        try {
            return index.pick(id);
        } finally {
            lock.unlock();
        }
    }

    private void checkOpenUnlocked() {
        lock.lock();
        try {
            commands.checkOpen();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking changes, waits until the writer has made every queued one durable and completed its future,
     * then releases the files. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!commands.close()) {
            return;
        }
        if (Thread.currentThread() != writerThread) {
            boolean interrupted = false;
            while (writerThread.isAlive()) {
                try {
                    writerThread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        metaReader.close();
        try {
            dirLock.release();
        } catch (IOException ignored) {
            // the channel close below releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to save
            }
        }
    }

    // ---- statistics for metrics ----------------------------------------------------------------------------

    /**
     * False while the writer cannot make writes durable: from a failed write or fsync until it has written
     * everything again (it retries on its own), or for good after a fatal failure.
     */
    @Override
    public boolean writable() {
        return writer.writable();
    }

    /** How many fsyncs the writer has done (segments and metadata log). */
    public long fsyncCount() {
        return writer.stats.fsyncs.get();
    }

    /** Total time spent in fsync, in nanoseconds. */
    public long fsyncTotalNanos() {
        return writer.stats.fsyncNanos.get();
    }

    /**
     * Tells {@code listener} the duration in nanoseconds of every fsync from now on. It runs on the writer thread
     * and must be quick (recording into a histogram is).
     */
    public void onFsync(java.util.function.LongConsumer listener) {
        writer.stats.fsyncListener = Objects.requireNonNull(listener, "listener");
    }

    /** The longest single fsync so far, in nanoseconds. */
    public long fsyncMaxNanos() {
        return writer.stats.fsyncMaxNanos;
    }

    /** Bytes in the store's segment and metadata files, as written by the writer (buffered bytes included). */
    public long bytesOnDisk() {
        return writer.stats.bytesOnDisk;
    }

    /** Segment files currently kept, the active one included. */
    public int segmentCount() {
        return writer.stats.segmentCount;
    }

    /** Bytes that segment compaction wrote again at the head of the log (records and their queue names). */
    public long compactedBytes() {
        return writer.stats.compactedBytes;
    }

    /** Segments that compaction has emptied by writing their live messages again. */
    public long compactions() {
        return writer.stats.compactions;
    }

    /** How long the last open spent recovering, in milliseconds. */
    public long lastRecoveryMillis() {
        return recoveryMillis;
    }

    /** Message bodies held (each once, however many queues reference it). */
    public long messageCount() {
        lock.lock();
        try {
            return index.messageCount();
        } finally {
            lock.unlock();
        }
    }

    /** The directory the store lives in. */
    public Path directory() {
        return dir;
    }

    /** Bytes of retained messages the store holds on the heap: those whose record is not durable yet. */
    long retainedBytesOnHeap() {
        return metaAccess.read(MetaState::retainedBytesOnHeap);
    }

    void syncHook(LogWriter.SyncHook hook) {
        writer.syncHook(hook);
    }

    void deleteHook(LogWriter.DeleteHook hook) {
        writer.deleteHook(hook);
    }
}
