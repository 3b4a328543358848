package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The single thread that owns the store's files. It takes the commands callers queued, appends their records,
 * forces the files as the {@link FsyncPolicy} says, then completes the commands' futures (on this thread, holding
 * no lock). Afterwards it deletes the oldest segments once nothing in them is live and rewrites the metadata log
 * when it is mostly dead.
 */
final class LogWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    private static final int BUFFER = 1 << 20;
    /** File header plus the SEGMENT_START record: a segment this size holds nothing else. */
    private static final long EMPTY_SEGMENT = Records.FILE_HEADER + Records.HEADER + 16;

    /** Test hook around each fsync. */
    interface SyncHook {
        void beforeForce();

        void afterForce();
    }

    private final LogMessageStore store;
    private final Path dir;
    private final FsyncPolicy policy;
    private final LogStoreSettings settings;
    private final boolean force;
    private final long maxWaitNanos;

    private final TreeMap<Long, Segment> segments;
    private Segment active;
    private FileChannel segmentOut;
    private final ByteBuffer segmentBuffer = ByteBuffer.allocateDirect(BUFFER);
    private boolean segmentDirty;

    private final MetaState mirror;
    private long metaNumber;
    private FileChannel metaOut;
    private long metaSize;
    private final ByteBuffer metaBuffer = ByteBuffer.allocateDirect(64 << 10);
    private boolean metaDirty;

    private long writtenHighest;
    private final List<Cmd> group = new ArrayList<>();
    private final List<Msg> groupMessages = new ArrayList<>();
    private long groupStart;
    private final ArrayDeque<Msg> cache = new ArrayDeque<>();
    private long cacheBytes;
    private Throwable failure;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Records.HEADER);
    private final CRC32C crc = new CRC32C();

    // statistics, read by any thread
    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong fsyncNanos = new AtomicLong();
    volatile long fsyncMaxNanos;
    volatile long bytesOnDisk;
    volatile int segmentCount;
    volatile SyncHook syncHook;

    LogWriter(LogMessageStore store, Path dir, FsyncPolicy policy, LogStoreSettings settings, Recovery recovered)
            throws IOException {
        this.store = store;
        this.dir = dir;
        this.policy = policy;
        this.settings = settings;
        this.force = policy.mode() != FsyncPolicy.Mode.NEVER;
        this.maxWaitNanos = policy.maxWait().toNanos();
        this.segments = recovered.segments;
        this.mirror = recovered.meta.copy();
        this.writtenHighest = recovered.highestId;
        long bytes = 0;
        for (Segment s : segments.values()) {
            bytes += s.size;
        }
        bytesOnDisk = bytes;

        // The metadata log is appended to where recovery left it; a missing one is started.
        metaNumber = Math.max(1, recovered.metaNumber);
        Path metaPath = dir.resolve(Recovery.metaFileName(metaNumber));
        metaOut = FileChannel.open(metaPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        metaSize = recovered.metaNumber == 0 ? 0 : recovered.metaSize;
        if (metaSize == 0) {
            ByteBuffer h = ByteBuffer.allocate(Records.FILE_HEADER).putInt(Records.MAGIC).putInt(Records.VERSION);
            writeFully(metaOut, h.flip(), 0);
            metaSize = Records.FILE_HEADER;
            metaOut.force(true);
            syncDirectory();
        }
        bytesOnDisk += metaSize;
        metaOut.position(metaSize);

        // Every open writes to a fresh segment; recovered ones are only read, and deleted once dead.
        long number = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        startSegment(number);
        reclaim();
    }

    @Override
    public void run() {
        while (true) {
            ArrayDeque<Cmd> cmds = store.takeCommands(group.isEmpty());
            if (cmds == null) {
                break;
            }
            if (cmds.isEmpty()) {
                endGroup(); // nothing more arrived while this group was written: sync it
                continue;
            }
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
        endGroup();
        closeFiles();
    }

    // ---- one command ---------------------------------------------------------------------------------------

    private void process(Cmd c) {
        if (group.isEmpty()) {
            groupStart = System.nanoTime();
        }
        group.add(c);
        if (failure != null) {
            return; // failed with the group
        }
        try {
            switch (c.kind) {
                case Cmd.MESSAGE -> {
                    long offset = appendToSegment(c);
                    Msg msg = c.msg;
                    msg.offset = offset;
                    msg.segment = active; // publishes the offset to readers
                    active.live++;
                    writtenHighest = Math.max(writtenHighest, msg.id);
                    groupMessages.add(msg);
                }
                case Cmd.REMOVE, Cmd.REMOVE_QUEUE -> {
                    appendToSegment(c);
                    for (Msg freed : c.freed) {
                        freed.segment.live--;
                    }
                }
                case Cmd.ID_MARK -> {
                    appendToSegment(c);
                    writtenHighest = Math.max(writtenHighest, ByteBuffer.wrap(c.payload).getLong());
                }
                case Cmd.META -> {
                    if (metaBuffer.remaining() < c.recordBytes()) {
                        flush(metaBuffer, metaOut);
                    }
                    append(metaBuffer, metaOut, c.type, c.payload);
                    metaSize += c.recordBytes();
                    bytesOnDisk += c.recordBytes();
                    metaDirty = true;
                    mirror.apply(c.type, c.metaKey, c.payload);
                }
                case Cmd.BARRIER -> {
                    // nothing to write
                }
                default -> throw new IllegalStateException("unknown command " + c.kind);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** Appends the command's record, preceded by any queue names the active segment lacks; returns its offset. */
    private long appendToSegment(Cmd c) throws IOException {
        long needed = c.recordBytes();
        if (c.queues != null) {
            for (QueueState q : c.queues) {
                if (q.declaredIn != active.number) {
                    needed += Records.HEADER + 12 + 3L * (q.key.vhost().length() + q.key.name().length());
                }
            }
        }
        if (active.size > EMPTY_SEGMENT && active.size + needed > settings.segmentBytes()) {
            rollSegment();
        }
        if (c.queues != null) {
            for (QueueState q : c.queues) {
                if (q.declaredIn != active.number) {
                    byte[] name = new Records.Payload(32).putInt(q.id)
                            .putString(q.key.vhost()).putString(q.key.name()).toArray();
                    writeSegmentRecord(Records.QUEUE_NAME, name);
                    q.declaredIn = active.number;
                }
            }
        }
        return writeSegmentRecord(c.type, c.payload);
    }

    private long writeSegmentRecord(byte type, byte[] payload) throws IOException {
        long offset = active.size;
        append(segmentBuffer, segmentOut, type, payload);
        int bytes = Records.HEADER + payload.length;
        active.size += bytes;
        bytesOnDisk += bytes;
        segmentDirty = true;
        return offset;
    }

    private void append(ByteBuffer buffer, FileChannel out, byte type, byte[] payload) throws IOException {
        crc.reset();
        crc.update(type);
        crc.update(payload, 0, payload.length);
        int checksum = (int) crc.getValue();
        if (buffer.remaining() < Records.HEADER + payload.length) {
            flush(buffer, out);
        }
        if (buffer.remaining() >= Records.HEADER + payload.length) {
            buffer.putInt(payload.length).putInt(checksum).put(type).put(payload);
            return;
        }
        header.clear();
        header.putInt(payload.length).putInt(checksum).put(type).flip();
        ByteBuffer[] parts = {header, ByteBuffer.wrap(payload)};
        long left = Records.HEADER + (long) payload.length;
        while (left > 0) {
            left -= out.write(parts);
        }
    }

    private static void flush(ByteBuffer buffer, FileChannel out) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }

    // ---- end of a group: write, force, complete --------------------------------------------------------------

    private void endGroup() {
        if (group.isEmpty()) {
            return;
        }
        if (failure == null) {
            try {
                if (segmentDirty) {
                    flush(segmentBuffer, segmentOut);
                }
                if (metaDirty) {
                    flush(metaBuffer, metaOut);
                }
                if (force) {
                    if (segmentDirty) {
                        force(segmentOut);
                    }
                    if (metaDirty) {
                        force(metaOut);
                    }
                }
                segmentDirty = false;
                metaDirty = false;
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
        Throwable failed = failure;
        for (Cmd c : group) {
            if (failed == null) {
                c.future.complete(null);
            } else {
                c.future.completeExceptionally(failed);
            }
        }
        group.clear();
        cacheWritten();
        if (failed == null) {
            reclaim();
            maybeCompactMeta();
        }
    }

    private void force(FileChannel ch) throws IOException {
        SyncHook hook = syncHook;
        if (hook != null) {
            hook.beforeForce();
        }
        long t0 = System.nanoTime();
        ch.force(false);
        long took = System.nanoTime() - t0;
        fsyncs.incrementAndGet();
        fsyncNanos.addAndGet(took);
        if (took > fsyncMaxNanos) {
            fsyncMaxNanos = took;
        }
        if (hook != null) {
            hook.afterForce();
        }
    }

    /** Keeps the newest written payloads on the heap up to the cache budget, and lets go of the rest. */
    private void cacheWritten() {
        long budget = settings.cacheBytes();
        if (failure != null) {
            groupMessages.clear(); // the bytes may not be on disk: keep serving reads from memory
            return;
        }
        for (Msg m : groupMessages) {
            if (budget == 0) {
                m.payload = null;
            } else {
                cache.addLast(m);
                cacheBytes += m.payloadLength;
            }
        }
        groupMessages.clear();
        while (cacheBytes > budget && !cache.isEmpty()) {
            Msg evicted = cache.pollFirst();
            cacheBytes -= evicted.payloadLength;
            evicted.payload = null;
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e instanceof CompletionException ? e : new CompletionException("store write failed", e);
            LOG.error("store write failed; every further write will fail until the broker restarts", e);
        }
    }

    // ---- segments ------------------------------------------------------------------------------------------

    private void startSegment(long number) throws IOException {
        Path path = dir.resolve(Segment.fileName(number));
        Segment s = new Segment(number, path);
        FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer start = ByteBuffer.allocate((int) EMPTY_SEGMENT);
        ByteBuffer body = ByteBuffer.allocate(16).putLong(number).putLong(writtenHighest);
        crc.reset();
        crc.update(Records.SEGMENT_START);
        crc.update(body.array(), 0, 16);
        start.putInt(Records.MAGIC).putInt(Records.VERSION)
                .putInt(16).putInt((int) crc.getValue()).put(Records.SEGMENT_START).put(body.array()).flip();
        writeFully(out, start, 0);
        out.position(EMPTY_SEGMENT);
        if (force) {
            force(out);
            syncDirectory();
        }
        s.size = EMPTY_SEGMENT;
        bytesOnDisk += EMPTY_SEGMENT;
        segments.put(number, s);
        segmentCount = segments.size();
        active = s;
        segmentOut = out;
    }

    private void rollSegment() throws IOException {
        flush(segmentBuffer, segmentOut);
        if (force && segmentDirty) {
            force(segmentOut);
        }
        segmentOut.close();
        segmentDirty = false;
        startSegment(active.number + 1);
    }

    /** Deletes the oldest segments while nothing in them is live (their removals are durable by now). */
    private void reclaim() {
        while (true) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Segment s = first.getValue();
            if (s == active || s.live > 0) {
                break;
            }
            segments.pollFirstEntry();
            s.markDeleted();
            try {
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", s.path, e.toString());
            }
            bytesOnDisk -= s.size;
            segmentCount = segments.size();
        }
    }

    // ---- metadata log compaction ---------------------------------------------------------------------------

    private void maybeCompactMeta() {
        if (metaSize <= settings.metaCompactBytes() || metaSize <= 2 * mirror.liveBytes() + Records.FILE_HEADER) {
            return;
        }
        long number = metaNumber + 1;
        Path tmp = dir.resolve(Recovery.metaFileName(number).replace(".log", ".tmp"));
        Path target = dir.resolve(Recovery.metaFileName(number));
        try {
            long size;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
                buf.putInt(Records.MAGIC).putInt(Records.VERSION);
                List<IOException> errors = new ArrayList<>(1);
                mirror.forEachRecord((type, payload) -> {
                    try {
                        append(buf, out, type, payload);
                    } catch (IOException e) {
                        errors.add(e);
                    }
                });
                if (!errors.isEmpty()) {
                    throw errors.get(0);
                }
                flush(buf, out);
                size = out.size();
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory();
            Path old = dir.resolve(Recovery.metaFileName(metaNumber));
            metaOut.close();
            Files.deleteIfExists(old);
            metaOut = FileChannel.open(target, StandardOpenOption.WRITE);
            metaOut.position(size);
            bytesOnDisk += size - metaSize;
            LOG.debug("metadata log compacted from {} to {} bytes", metaSize, size);
            metaSize = size;
            metaNumber = number;
        } catch (IOException e) {
            LOG.warn("could not compact the metadata log: {}", e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left for the next open to remove
            }
            if (!metaOut.isOpen()) {
                fail(e); // the old log was closed but the new one could not be opened
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }

    /** Makes a created, renamed or deleted file name durable. */
    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; there the rename or create is as durable as it gets.
            LOG.debug("could not sync directory {}: {}", dir, e.toString());
        }
    }

    private void closeFiles() {
        try {
            if (failure == null) {
                flush(segmentBuffer, segmentOut);
                flush(metaBuffer, metaOut);
                segmentOut.force(false);
                metaOut.force(false);
            }
        } catch (IOException e) {
            LOG.warn("could not flush the store on close: {}", e.toString());
        }
        for (FileChannel ch : new FileChannel[] {segmentOut, metaOut}) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Segment s : segments.values()) {
            s.closeReader();
        }
    }
}
