package dev.junction.storage.log;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
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

    private static final Logger LOG = LoggerFactory.getLogger(LogMessageStore.class);
    static final String WRITER_THREAD = "junction-store-writer";
    private static final String LOCK_FILE = "LOCK";

    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private ArrayDeque<Cmd> commands = new ArrayDeque<>();
    /** Commands queued so far; the writer processes them in this order. */
    private long enqueued;
    private boolean writerWaiting;
    private boolean closed;

    // the index, guarded by lock
    private final LongMap<Msg> messages;
    private final Map<QueueKey, QueueState> queues;
    private int nextQueueId;
    private long highestId;
    private final MetaState meta;

    private final LogWriter writer;
    private final Thread writerThread;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final long recoveryMillis;

    private final DefinitionStore definitionView = new Definitions();
    private final RetainedStore retainedView = new Retained();
    private final SessionStore sessionView = new Sessions();

    private LogMessageStore(Path dir, FsyncPolicy policy, LogStoreSettings settings, FileChannel lockChannel,
                            FileLock dirLock) throws IOException {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.dirLock = dirLock;
        long t0 = System.nanoTime();
        Recovery r = Recovery.run(dir);
        this.messages = r.messages;
        this.queues = r.queues;
        this.nextQueueId = r.nextQueueId;
        this.highestId = r.highestId;
        this.meta = r.meta;
        this.writer = new LogWriter(this, dir, policy, settings, r);
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
            checkOpen();
            if (n > 0) {
                if (messages.get(id) != null) {
                    throw new IllegalArgumentException("message id " + id + " is already stored");
                }
                ByteBuffer ids = ByteBuffer.wrap(cmd.payload, 12, 4 * n);
                int i = 0;
                for (QueueKey key : targets) {
                    QueueState q = queues.get(key);
                    if (q == null) {
                        q = new QueueState(key, nextQueueId++);
                        queues.put(key, q);
                    }
                    q.ids.add(id);
                    cmd.queues[i++] = q;
                    ids.putInt(q.id);
                }
                cmd.msg.refs = n;
                messages.put(id, cmd.msg);
            }
            highestId = Math.max(highestId, id);
            enqueue(cmd);
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
            checkOpen();
            QueueState q = queues.get(queue);
            if (q == null || !q.ids.remove(messageId)) {
                return enqueue(Cmd.barrier());
            }
            Cmd cmd = new Cmd(Cmd.REMOVE, Records.REMOVE,
                    ByteBuffer.allocate(12).putInt(q.id).putLong(messageId).array());
            cmd.queues = new QueueState[] {q};
            Msg msg = messages.get(messageId);
            cmd.freed = release(msg) ? new Msg[] {msg} : NONE;
            return enqueue(cmd);
        } finally {
            lock.unlock();
        }
    }

    private static final Msg[] NONE = new Msg[0];

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        lock.lock();
        try {
            checkOpen();
            QueueState q = queues.remove(queue);
            if (q == null || q.ids.isEmpty()) {
                return enqueue(Cmd.barrier());
            }
            List<Msg> freed = new ArrayList<>();
            q.ids.forEach(id -> {
                Msg msg = messages.get(id);
                if (release(msg)) {
                    freed.add(msg);
                }
            });
            q.ids.clear();
            Cmd cmd = new Cmd(Cmd.REMOVE_QUEUE, Records.REMOVE_QUEUE, ByteBuffer.allocate(4).putInt(q.id).array());
            cmd.queues = new QueueState[] {q};
            cmd.freed = freed.toArray(NONE);
            return enqueue(cmd);
        } finally {
            lock.unlock();
        }
    }

    /** Drops one reference; true when it was the last and the body is gone from the index. Lock held. */
    private boolean release(Msg msg) {
        if (--msg.refs == 0) {
            messages.remove(msg.id);
            return true;
        }
        return false;
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
            checkOpen();
            QueueState q = queues.get(queue);
            if (q == null || max == 0) {
                return List.of();
            }
            q.ids.forEachAfter(afterId, max, id -> picked.add(pick(messages.get(id))));
        } finally {
            lock.unlock();
        }
        // Bodies are read without the lock, so a long read never holds up publishers.
        List<StoredMessage> page = new ArrayList<>(picked.size());
        for (Pick p : picked) {
            byte[] data = body(p);
            if (data != null) {
                page.add(new StoredMessage(p.msg.id, data));
            }
        }
        return page;
    }

    /**
     * Where a reader finds a message's body: its payload while the writer still holds it, otherwise a location
     * taken under the lock, so that it cannot mix the old and new halves of a move by compaction.
     */
    private record Pick(Msg msg, byte[] payload, Segment segment, long offset, int length) {
    }

    /** Lock held. */
    private static Pick pick(Msg m) {
        byte[] payload = m.payload;
        return payload != null ? new Pick(m, payload, null, 0, 0)
                : new Pick(m, null, m.segment, m.offset, m.payloadLength);
    }

    /**
     * The body of a picked message, from the cache or the disk; null if it was removed (and its segment deleted)
     * meanwhile. A segment deleted under the reader may also mean that compaction moved the message: then the
     * read is retried at the new location.
     */
    private byte[] body(Pick p) {
        for (int attempt = 0; ; attempt++) {
            if (p.payload != null) {
                return data(ByteBuffer.wrap(p.payload));
            }
            Segment s = p.segment;
            Msg m = p.msg;
            try {
                ByteBuffer record = ByteBuffer.allocate(Records.HEADER + p.length);
                FileChannel ch = s.reader();
                while (record.hasRemaining()) {
                    if (ch.read(record, p.offset + record.position()) < 0) {
                        throw new IOException("unexpected end of " + s + " at offset " + p.offset);
                    }
                }
                record.flip();
                int length = record.getInt(0);
                int crc = record.getInt(4);
                if (length != p.length || record.get(8) != Records.MESSAGE
                        || Records.crc(record, 0, length) != crc || record.getLong(Records.HEADER) != m.id) {
                    LOG.error("{}: message {} at offset {} fails its checksum; it is left out of the read", s,
                            m.id, p.offset);
                    return null;
                }
                return data(record.position(Records.HEADER).slice());
            } catch (ClosedChannelException e) {
                if (attempt >= 3) {
                    return null;
                }
                if (s.deleted()) {
                    Pick now = repick(m);
                    if (now.payload == null && now.segment == s) {
                        return null; // removed, and its segment deleted while we were reading
                    }
                    p = now; // moved by compaction before its old segment was deleted
                }
                // otherwise an interrupted reader closed the channel; it is reopened on the next attempt
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read message " + m.id + " from " + s, e);
            }
        }
    }

    private Pick repick(Msg m) {
        lock.lock();
        try {
            return pick(m);
        } finally {
            lock.unlock();
        }
    }

    /** The body in a MESSAGE payload, as a fresh array. */
    private static byte[] data(ByteBuffer payload) {
        int n = payload.getInt(8);
        int at = 12 + 4 * n;
        int length = payload.getInt(at);
        byte[] data = new byte[length];
        payload.get(at + 4, data);
        return data;
    }

    @Override
    public long count(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        lock.lock();
        try {
            checkOpen();
            QueueState q = queues.get(queue);
            return q == null ? 0 : q.ids.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<QueueKey> queues() {
        lock.lock();
        try {
            checkOpen();
            Set<QueueKey> live = new HashSet<>();
            queues.forEach((k, q) -> {
                if (!q.ids.isEmpty()) {
                    live.add(k);
                }
            });
            return Set.copyOf(live);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long highestMessageId() {
        lock.lock();
        try {
            checkOpen();
            return highestId;
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

    /** Applies a metadata change and queues its record; a change that changes nothing queues a barrier. */
    private CompletableFuture<Void> changeMeta(byte type, Object key, byte[] payload) {
        lock.lock();
        try {
            checkOpen();
            if (!meta.apply(type, key, payload)) {
                return enqueue(Cmd.barrier());
            }
            Cmd cmd = new Cmd(Cmd.META, type, payload);
            cmd.metaKey = key;
            return enqueue(cmd);
        } finally {
            lock.unlock();
        }
    }

    private <T> T readMeta(java.util.function.Function<MetaState, T> reader) {
        lock.lock();
        try {
            checkOpen();
            return reader.apply(meta);
        } finally {
            lock.unlock();
        }
    }

    private final class Definitions implements DefinitionStore {
        @Override
        public CompletableFuture<Void> put(Definition d) {
            Objects.requireNonNull(d, "definition");
            Objects.requireNonNull(d.kind(), "kind");
            Objects.requireNonNull(d.vhost(), "vhost");
            Objects.requireNonNull(d.name(), "name");
            Objects.requireNonNull(d.data(), "data");
            return changeMeta(Records.DEFINITION_PUT, new MetaState.DefKey(d.kind(), d.vhost(), d.name()),
                    MetaState.definitionPut(d));
        }

        @Override
        public CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name) {
            MetaState.DefKey key = new MetaState.DefKey(Objects.requireNonNull(kind, "kind"),
                    Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(name, "name"));
            return changeMeta(Records.DEFINITION_DELETE, key, MetaState.definitionDelete(key));
        }

        @Override
        public List<Definition> all() {
            return readMeta(MetaState::definitions);
        }
    }

    private final class Retained implements RetainedStore {
        @Override
        public CompletableFuture<Void> put(RetainedMessage m) {
            Objects.requireNonNull(m, "message");
            String vhost = Objects.requireNonNull(m.vhost(), "vhost");
            String topic = Objects.requireNonNull(m.topic(), "topic");
            byte[] data = Objects.requireNonNull(m.data(), "data");
            return changeMeta(Records.RETAINED_PUT, new MetaState.RetainedKey(vhost, topic),
                    MetaState.pairPut(vhost, topic, data));
        }

        @Override
        public CompletableFuture<Void> delete(String vhost, String topic) {
            Objects.requireNonNull(vhost, "vhost");
            Objects.requireNonNull(topic, "topic");
            return changeMeta(Records.RETAINED_DELETE, new MetaState.RetainedKey(vhost, topic),
                    MetaState.pairDelete(vhost, topic));
        }

        @Override
        public List<RetainedMessage> all() {
            return readMeta(MetaState::retained);
        }
    }

    private final class Sessions implements SessionStore {
        @Override
        public CompletableFuture<Void> put(Session s) {
            Objects.requireNonNull(s, "session");
            String vhost = Objects.requireNonNull(s.vhost(), "vhost");
            String clientId = Objects.requireNonNull(s.clientId(), "clientId");
            byte[] data = Objects.requireNonNull(s.data(), "data");
            return changeMeta(Records.SESSION_PUT, new MetaState.SessionKey(vhost, clientId),
                    MetaState.pairPut(vhost, clientId, data));
        }

        @Override
        public CompletableFuture<Void> delete(String vhost, String clientId) {
            Objects.requireNonNull(vhost, "vhost");
            Objects.requireNonNull(clientId, "clientId");
            return changeMeta(Records.SESSION_DELETE, new MetaState.SessionKey(vhost, clientId),
                    MetaState.pairDelete(vhost, clientId));
        }

        @Override
        public Optional<Session> get(String vhost, String clientId) {
            MetaState.SessionKey key = new MetaState.SessionKey(Objects.requireNonNull(vhost, "vhost"),
                    Objects.requireNonNull(clientId, "clientId"));
            return Optional.ofNullable(readMeta(m -> m.session(key)));
        }

        @Override
        public List<Session> all() {
            return readMeta(MetaState::sessions);
        }
    }

    // ---- the hand-off to the writer ------------------------------------------------------------------------

    /** Queues {@code cmd} for the writer; lock held, so the log order is the order of index changes. */
    private CompletableFuture<Void> enqueue(Cmd cmd) {
        commands.addLast(cmd);
        enqueued++;
        if (writerWaiting) {
            writerWaiting = false;
            work.signal();
        }
        return cmd.future;
    }

    /**
     * Called by the writer: everything queued so far (possibly nothing when {@code wait} is false), or null once
     * the store is closed and nothing is left.
     */
    ArrayDeque<Cmd> takeCommands(boolean wait) {
        lock.lock();
        try {
            while (wait && commands.isEmpty() && !closed) {
                writerWaiting = true;
                work.awaitUninterruptibly();
            }
            writerWaiting = false;
            if (commands.isEmpty()) {
                return closed ? null : commands;
            }
            ArrayDeque<Cmd> taken = commands;
            commands = new ArrayDeque<>();
            return taken;
        } finally {
            lock.unlock();
        }
    }

    // ---- compaction support (called by the writer) -------------------------------------------------------

    /** A MESSAGE record that compaction found in the segment it is emptying. */
    record Found(long id, long offset, int payloadLength, QueueKey[] queues) {
    }

    /** A live message to write again, with the queues that hold it now. */
    static final class Copy {
        final Msg msg;
        final Found found;
        final QueueState[] queues;
        Segment segment;
        long offset;
        int payloadLength;

        Copy(Msg msg, Found found, QueueState[] queues) {
            this.msg = msg;
            this.found = found;
            this.queues = queues;
        }
    }

    /**
     * Called by the writer: of the records {@code found} in {@code segment}, those that still hold a live
     * message, each with the queues that reference it at this instant. Every command queued before this call is
     * already in that answer, so the copies may be written ahead of those still waiting: replaying a waiting
     * removal after a copy that no longer lists its queue changes nothing.
     */
    List<Copy> liveCopies(Segment segment, List<Found> found, long[] enqueuedOut) {
        List<Copy> copies = new ArrayList<>();
        lock.lock();
        try {
            enqueuedOut[0] = enqueued;
            for (Found f : found) {
                Msg m = messages.get(f.id());
                if (m == null || m.segment != segment || m.offset != f.offset()) {
                    continue; // removed, or this is an older record of a reused id
                }
                List<QueueState> holders = new ArrayList<>(f.queues().length);
                for (QueueKey key : f.queues()) {
                    QueueState q = key == null ? null : queues.get(key);
                    if (q != null && q.ids.contains(m.id)) { // a record names each queue once
                        holders.add(q);
                    }
                }
                if (holders.size() != m.refs) {
                    // The record's queue list did not resolve (it never should); ask every queue instead.
                    holders.clear();
                    for (QueueState q : queues.values()) {
                        if (q.ids.contains(m.id)) {
                            holders.add(q);
                        }
                    }
                }
                copies.add(new Copy(m, f, holders.toArray(new QueueState[0])));
            }
        } finally {
            lock.unlock();
        }
        return copies;
    }

    /** Called by the writer once the copies are in the file: readers find the messages there from now on. */
    void moved(List<Copy> copies) {
        lock.lock();
        try {
            for (Copy c : copies) {
                c.msg.offset = c.offset;
                c.msg.payloadLength = c.payloadLength;
                c.msg.segment = c.segment;
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    private void checkOpenUnlocked() {
        lock.lock();
        try {
            checkOpen();
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
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
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

    /** How many fsyncs the writer has done (segments and metadata log). */
    public long fsyncCount() {
        return writer.fsyncs.get();
    }

    /** Total time spent in fsync, in nanoseconds. */
    public long fsyncTotalNanos() {
        return writer.fsyncNanos.get();
    }

    /** The longest single fsync so far, in nanoseconds. */
    public long fsyncMaxNanos() {
        return writer.fsyncMaxNanos;
    }

    /** Bytes in the store's segment and metadata files, as written by the writer (buffered bytes included). */
    public long bytesOnDisk() {
        return writer.bytesOnDisk;
    }

    /** Segment files currently kept, the active one included. */
    public int segmentCount() {
        return writer.segmentCount;
    }

    /** Bytes that segment compaction wrote again at the head of the log (records and their queue names). */
    public long compactedBytes() {
        return writer.compactedBytes;
    }

    /** Segments that compaction has emptied by writing their live messages again. */
    public long compactions() {
        return writer.compactions;
    }

    /** How long the last open spent recovering, in milliseconds. */
    public long lastRecoveryMillis() {
        return recoveryMillis;
    }

    /** Message bodies held (each once, however many queues reference it). */
    public long messageCount() {
        lock.lock();
        try {
            return messages.size();
        } finally {
            lock.unlock();
        }
    }

    /** The directory the store lives in. */
    public Path directory() {
        return dir;
    }

    void syncHook(LogWriter.SyncHook hook) {
        writer.syncHook = hook;
    }

    void deleteHook(LogWriter.DeleteHook hook) {
        writer.deleteHook = hook;
    }
}
