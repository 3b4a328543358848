package dev.junction.storage.log;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import dev.junction.storage.table.DefinitionTable;
import dev.junction.storage.table.RetainedTable;
import dev.junction.storage.table.SessionTable;
import dev.junction.storage.time.TimeIndexFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * disk; the index holds only ids and locations, plus a bounded cache of recently written bodies. The parts
 * behind this facade (writer, compaction, body reads) reach the index through {@link MessageLocations}, never
 * through this class. See {@code docs/storage.md}.
 */
public final class LogMessageStore implements MessageStore {

    static final String WRITER_THREAD = "junction-store-writer";

    private final Path dir;
    private final StoreLock lock = new StoreLock();
    private final CommandQueue commands = lock.commands;
    // the index, guarded by lock
    private final MessageIndex index;
    private final LockedIndex locked;
    private final Removals removals;
    private final BodyReader bodies;

    private final LogWriter writer;
    private final Thread writerThread;
    private final DirectoryLock dirLock;
    private final dev.junction.storage.stream.StreamLogs streams;
    private final long recoveryMillis;

    private final MetaReader metaReader;
    private final MetaAccess metaAccess;
    private final DefinitionStore definitionView;
    private final RetainedStore retainedView;
    private final SessionStore sessionView;

    private LogMessageStore(Path dir, FsyncPolicy policy, LogStoreSettings settings, DirectoryLock dirLock)
            throws IOException {
        this.dir = dir;
        this.dirLock = dirLock;
        this.streams = new dev.junction.storage.stream.StreamLogs(dir.resolve("streams"));
        long t0 = System.nanoTime();
        Recovery r = Recovery.run(dir);
        this.index = new MessageIndex(r);
        this.locked = new LockedIndex(lock, index);
        this.removals = new Removals(lock, index, commands);
        this.bodies = new BodyReader(locked);
        this.metaAccess = new MetaAccess(lock, r.meta);
        this.metaReader = new MetaReader(dir);
        // One metadata table each for definitions, retained messages and sessions, in the same metadata log.
        this.definitionView = new DefinitionTable(new MetaTable<>(MetaFormat.DEFINITIONS, metaAccess, metaReader));
        this.retainedView = new RetainedTable(new MetaTable<>(MetaFormat.RETAINED, metaAccess, metaReader));
        this.sessionView = new SessionTable(new MetaTable<>(MetaFormat.SESSIONS, metaAccess, metaReader));
        this.writer = new LogWriter(locked, commands, dir, policy, settings, r, metaAccess);
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
        DirectoryLock dirLock = null;
        try {
            dirLock = DirectoryLock.acquire(dir);
            return new LogMessageStore(dir, policy, settings, dirLock);
        } catch (IOException e) {
            closeQuietly(dirLock);
            throw new UncheckedIOException("cannot open the store in " + dir, e);
        } catch (RuntimeException e) {
            closeQuietly(dirLock);
            throw e;
        }
    }

    private static void closeQuietly(DirectoryLock dirLock) {
        if (dirLock != null) {
            dirLock.close();
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
        // The payload doubles as the defensive copy; queue ids are filled in under the lock.
        Cmd.Message msg = n == 0 ? null : new Cmd.Message(new Msg(id, messagePayload(id, n, data)), n);
        Cmd cmd = msg != null ? msg : new Cmd.IdMark(id);
        return lock.open(() -> {
            if (msg != null) {
                index.add(msg, targets);
            }
            index.raiseHighestId(id);
            return commands.enqueue(cmd);
        });
    }

    /** A MESSAGE payload: id, queue count, room for the queue ids, body length, body. */
    private static byte[] messagePayload(long id, int queueCount, byte[] data) {
        byte[] payload = new byte[16 + 4 * queueCount + data.length];
        ByteBuffer.wrap(payload).putLong(id).putInt(queueCount).position(12 + 4 * queueCount)
                .putInt(data.length).put(data);
        return payload;
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
        Objects.requireNonNull(queue, "queue");
        return removals.apply(() -> index.remove(queue, messageId));
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long[] messageIds) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(messageIds, "messageIds");
        return removals.apply(() -> index.removeMany(queue, messageIds));
    }

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        return removals.apply(() -> index.removeQueue(queue));
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        checkMax(max);
        List<Pick> picked = new ArrayList<>(Math.min(max, 1024));
        boolean any = lock.open(() -> max != 0 && index.pick(queue, afterId, max, picked));
        return any ? bodiesOf(picked) : List.of();
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(ids, "ids");
        List<Pick> picked = new ArrayList<>(ids.length);
        lock.open(() -> {
            index.pick(queue, ids, picked);
            return null;
        });
        return bodiesOf(picked);
    }

    @Override
    public IdPage ids(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        checkMax(max);
        return lock.open(() -> index.ids(queue, afterId, max));
    }

    private static void checkMax(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
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
        return lock.open(() -> index.count(queue));
    }

    @Override
    public Set<QueueKey> queues() {
        return lock.open(index::liveQueues);
    }

    @Override
    public long highestMessageId() {
        return lock.open(index::highestId);
    }

    // ---- definitions, retained messages, sessions -------------------------------------------------------------

    /** Files under {@code time/} in the store's directory, one directory per holder (see TimeIndexFiles). */
    @Override
    public TimeIndex timeIndex(QueueKey holder) {
        Objects.requireNonNull(holder, "holder");
        return lock.open(() -> TimeIndexFiles.open(dir.resolve("time"), holder));
    }

    @Override
    public DefinitionStore definitions() {
        return lock.open(() -> definitionView);
    }

    @Override
    public RetainedStore retained() {
        return lock.open(() -> retainedView);
    }

    /** Streams live in the {@code streams} directory of the store, under the same directory lock. */
    @Override
    public dev.junction.storage.stream.StreamLogs streams() {
        return lock.open(() -> streams);
    }

    @Override
    public SessionStore sessions() {
        return lock.open(() -> sessionView);
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
        streams.close();
        dirLock.close();
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
        return lock.locked(index::messageCount);
    }

    /** The directory the store lives in. */
    public Path directory() {
        return dir;
    }

    /** Bytes of retained messages the store holds on the heap: those whose record is not durable yet. */
    long retainedBytesOnHeap() {
        return metaAccess.read(m -> m.bytesOnHeap(MetaFormat.RETAINED));
    }

    void syncHook(LogWriter.SyncHook hook) {
        writer.syncHook(hook);
    }

    void deleteHook(LogWriter.DeleteHook hook) {
        writer.deleteHook(hook);
    }
}
