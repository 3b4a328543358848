package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
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
import java.util.HashMap;
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
 *
 * <p>Between groups it compacts: when the sealed segments hold more dead bytes than live ones (and at least two
 * segments' worth), it walks the oldest segment a bounded step at a time and writes the messages still live there
 * again at the head of the log, so that the oldest segment empties and prefix deletion can go on.
 */
final class LogWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    private static final int BUFFER = 1 << 20;
    /** File header plus the SEGMENT_START record: a segment this size holds nothing else. */
    private static final long EMPTY_SEGMENT = Records.FILE_HEADER + Records.HEADER + 16;
    /** Bytes of an old segment that one compaction step reads (and at most copies) before looking for commands. */
    private static final int COMPACT_STEP_BYTES = 256 << 10;
    /** Message records one compaction step checks under the store's lock. */
    private static final int COMPACT_STEP_RECORDS = 4096;
    /** Compaction needs this many segments' worth of dead bytes in the sealed segments (and more than live). */
    private static final int COMPACT_MIN_GARBAGE_SEGMENTS = 2;

    /** Test hook around each fsync. */
    interface SyncHook {
        void beforeForce();

        void afterForce();
    }

    /** Test hook before a segment file is deleted; false keeps it (and every newer one) for now. */
    interface DeleteHook {
        boolean mayDelete(Segment segment);
    }

    /** The walk through the segment being compacted. */
    private static final class Scan {
        final Segment segment;
        final FileChannel ch;
        final RecordWindow window;
        /** Queue names bound by the QUEUE_NAME records read so far. */
        final Map<Integer, QueueKey> names = new HashMap<>();
        long cursor = Records.FILE_HEADER;
        /** Commands queued when the store last told which messages here are live. */
        long checkedAtSeq;

        Scan(Segment segment) throws IOException {
            this.segment = segment;
            this.ch = FileChannel.open(segment.path, StandardOpenOption.READ);
            this.window = new RecordWindow(segment.path, ch, COMPACT_STEP_BYTES);
        }

        void close() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
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
    /** Sizes of all segments, and the bytes of live MESSAGE records in them. */
    private long segmentBytes;
    private long liveBytes;
    /** Segment bytes written so far (for the compaction statistics). */
    private long recordBytesWritten;
    /** Commands processed so far, in the order the store queued them. */
    private long processed;
    private Scan scan;
    private boolean stuckReported;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Records.HEADER);
    private final CRC32C crc = new CRC32C();

    // statistics, read by any thread
    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong fsyncNanos = new AtomicLong();
    volatile long fsyncMaxNanos;
    volatile long bytesOnDisk;
    volatile int segmentCount;
    volatile long compactedBytes;
    volatile long compactions;
    volatile SyncHook syncHook;
    volatile DeleteHook deleteHook;

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
            liveBytes += s.liveBytes;
        }
        segmentBytes = bytes;
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
            // Wait for commands only when no group is open and there is no compaction to get on with.
            boolean wait = group.isEmpty() && scan == null && compactionTarget() == null;
            ArrayDeque<Cmd> cmds = store.takeCommands(wait);
            if (cmds == null) {
                break;
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
                compactStep(); // bounded, so the next commands wait at most one step
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
        processed++;
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
                    countLive(active, msg.payloadLength);
                    writtenHighest = Math.max(writtenHighest, msg.id);
                    groupMessages.add(msg);
                }
                case Cmd.REMOVE, Cmd.REMOVE_QUEUE -> {
                    appendToSegment(c);
                    for (Msg freed : c.freed) {
                        uncountLive(freed.segment, freed.payloadLength);
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
        segmentBytes += bytes;
        recordBytesWritten += bytes;
        bytesOnDisk += bytes;
        segmentDirty = true;
        return offset;
    }

    private void countLive(Segment s, int payloadLength) {
        s.addLive(payloadLength);
        liveBytes += Records.HEADER + payloadLength;
    }

    private void uncountLive(Segment s, int payloadLength) {
        s.dropLive(payloadLength);
        liveBytes -= Records.HEADER + payloadLength;
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
        segmentBytes += EMPTY_SEGMENT;
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

    /**
     * Deletes the oldest segments while nothing in them is live. Called only when everything written so far is
     * durable (as durable as the fsync mode makes anything): the removals that emptied a segment, and the copies
     * compaction made of its live messages, are on disk before the segment goes. Each deletion is made durable
     * before the next, so a crash never keeps an older segment while losing a newer one that held its removals.
     */
    private void reclaim() {
        while (true) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Segment s = first.getValue();
            if (s == active || s.live > 0) {
                break;
            }
            DeleteHook hook = deleteHook;
            if (hook != null && !hook.mayDelete(s)) {
                break;
            }
            if (scan != null && scan.segment == s) {
                finishScan(); // emptied by removals before the walk reached its end
            }
            segments.pollFirstEntry();
            s.markDeleted();
            try {
                Files.deleteIfExists(s.path);
                if (force) {
                    syncDirectory();
                }
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", s.path, e.toString());
            }
            bytesOnDisk -= s.size;
            segmentBytes -= s.size;
            segmentCount = segments.size();
        }
    }

    // ---- segment compaction --------------------------------------------------------------------------------

    /**
     * The segment to compact next, or null. Only the oldest segment is compacted: deleting any other would drop
     * the removals it holds for messages in older segments. It is worth it once the sealed segments hold at least
     * {@value #COMPACT_MIN_GARBAGE_SEGMENTS} segments' worth of dead bytes and more dead bytes than live ones, so
     * disk use stays within about twice the live data, and a backlog consumed in order is never copied.
     */
    private Segment compactionTarget() {
        if (failure != null || segments.size() < 2) {
            return null;
        }
        Segment oldest = segments.firstEntry().getValue();
        if (oldest == active || oldest.live == 0) {
            return null; // nothing to do, or reclaim deletes it after the next fsync
        }
        if (oldest.compacted) {
            if (processed >= oldest.compactedAtSeq && !stuckReported) {
                stuckReported = true;
                LOG.error("{} still holds {} live messages that compaction could not copy (see earlier errors); "
                        + "it and every newer segment stay on disk until the store is reopened", oldest, oldest.live);
            }
            return null;
        }
        long sealedBytes = segmentBytes - active.size;
        long sealedLive = liveBytes - active.liveBytes;
        long garbage = sealedBytes - sealedLive;
        long threshold = Math.max(COMPACT_MIN_GARBAGE_SEGMENTS * settings.segmentBytes(), sealedLive);
        return garbage >= threshold ? oldest : null;
    }

    /**
     * One bounded step of compaction: reads up to {@value #COMPACT_STEP_BYTES} bytes of the oldest segment, asks
     * the store which of the messages found there are still live and with which queues, writes those again at
     * the head of the log (QUEUE_NAME records as needed), hands the records to the OS and then points the index
     * at them. Runs only between groups. Once the segment holds nothing live, the copies are forced and the
     * segment is deleted.
     */
    private void compactStep() {
        if (failure != null) {
            if (scan != null) {
                scan.close();
                scan = null;
            }
            return;
        }
        if (scan == null) {
            Segment target = compactionTarget();
            if (target == null) {
                return;
            }
            try {
                scan = new Scan(target);
            } catch (IOException e) {
                LOG.error("cannot open {} to compact it: {}", target, e.toString());
                target.compacted = true;
                return;
            }
            LOG.debug("compacting {}: {} live messages in {} of {} bytes", target, target.live, target.liveBytes,
                    target.size);
        }
        Scan sc = scan;
        Segment s = sc.segment;
        List<LogMessageStore.Copy> copies;
        byte[][] payloads;
        try {
            List<LogMessageStore.Found> found = readStep(sc);
            if (found.isEmpty()) {
                copies = List.of();
            } else {
                long[] seq = new long[1];
                copies = store.liveCopies(s, found, seq);
                sc.checkedAtSeq = seq[0];
            }
            payloads = new byte[copies.size()][];
            for (int i = 0; i < payloads.length; i++) {
                payloads[i] = copyPayload(sc, copies.get(i));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot read {} to compact it: {}", s, e.toString());
            finishScan();
            return;
        }
        if (!copies.isEmpty()) {
            try {
                long before = recordBytesWritten;
                for (int i = 0; i < payloads.length; i++) {
                    LogMessageStore.Copy c = copies.get(i);
                    Cmd cmd = new Cmd(Cmd.MESSAGE, Records.MESSAGE, payloads[i]);
                    cmd.queues = c.queues;
                    c.offset = appendToSegment(cmd);
                    c.segment = active;
                    c.payloadLength = payloads[i].length;
                }
                flush(segmentBuffer, segmentOut); // readers may look for the copies in the file from now on
                compactedBytes += recordBytesWritten - before;
            } catch (IOException | RuntimeException e) {
                fail(e);
                finishScan();
                return;
            }
            store.moved(copies);
            for (LogMessageStore.Copy c : copies) {
                uncountLive(s, c.found.payloadLength());
                countLive(c.segment, c.payloadLength);
            }
        }
        if (s.live == 0 || sc.cursor >= s.size) {
            finishScan();
            if (s.live == 0) {
                try {
                    makeDurable();
                } catch (IOException | RuntimeException e) {
                    fail(e);
                    return;
                }
                reclaim();
            }
        }
    }

    /** Reads the next step of the segment being compacted; returns the MESSAGE records found. */
    private List<LogMessageStore.Found> readStep(Scan sc) throws IOException {
        Segment s = sc.segment;
        List<LogMessageStore.Found> found = new ArrayList<>();
        long budget = COMPACT_STEP_BYTES;
        while (budget > 0 && found.size() < COMPACT_STEP_RECORDS && s.live > 0 && sc.cursor < s.size) {
            int length = sc.window.validRecordAt(sc.cursor, s.size);
            if (length < 0) {
                long next = sc.window.resync(sc.cursor + 1, s.size);
                LOG.error("{}: no valid record at offset {} while compacting; {}", s, sc.cursor,
                        next < 0 ? "the rest of the segment is skipped" : "skipping to offset " + next);
                budget -= (next < 0 ? s.size : next) - sc.cursor;
                sc.cursor = next < 0 ? s.size : next;
                continue;
            }
            int at = sc.window.at(sc.cursor, Records.HEADER + length);
            ByteBuffer buf = sc.window.buffer();
            byte type = buf.get(at + 8);
            ByteBuffer p = ByteBuffer.wrap(buf.array(), at + Records.HEADER, length).slice();
            try {
                if (type == Records.QUEUE_NAME) {
                    int local = p.getInt();
                    sc.names.put(local, new QueueKey(Records.string(p), Records.string(p)));
                } else if (type == Records.MESSAGE) {
                    long id = p.getLong();
                    int n = p.getInt();
                    if (n < 0 || n > (length - 16) / 4) {
                        throw new IllegalArgumentException("bad message header: id " + id + ", " + n + " queues");
                    }
                    QueueKey[] keys = new QueueKey[n];
                    for (int i = 0; i < n; i++) {
                        keys[i] = sc.names.get(p.getInt());
                    }
                    found.add(new LogMessageStore.Found(id, sc.cursor, length, keys));
                }
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                LOG.warn("{}: skipping malformed record of type {} at offset {} while compacting: {}", s, type,
                        sc.cursor, e.toString());
            }
            sc.cursor += Records.HEADER + length;
            budget -= Records.HEADER + length;
        }
        return found;
    }

    /** The MESSAGE payload of a copy: the same id and body, and the queues that hold the message now. */
    private static byte[] copyPayload(Scan sc, LogMessageStore.Copy c) throws IOException {
        int oldLength = c.found.payloadLength();
        int at = sc.window.at(c.found.offset(), Records.HEADER + oldLength) + Records.HEADER;
        ByteBuffer buf = sc.window.buffer();
        int bodyAt = at + 12 + 4 * buf.getInt(at + 8);
        int bodyLength = buf.getInt(bodyAt);
        if (buf.getLong(at) != c.msg.id || bodyLength < 0 || bodyAt + 4 + bodyLength != at + oldLength) {
            throw new IOException("the record of message " + c.msg.id + " at offset " + c.found.offset()
                    + " changed while being compacted");
        }
        byte[] payload = new byte[16 + 4 * c.queues.length + bodyLength];
        ByteBuffer out = ByteBuffer.wrap(payload).putLong(c.msg.id).putInt(c.queues.length);
        for (QueueState q : c.queues) {
            out.putInt(q.id);
        }
        out.putInt(bodyLength).put(buf.array(), bodyAt + 4, bodyLength);
        return payload;
    }

    /** Ends the walk through the segment being compacted; its remaining live messages wait for their removals. */
    private void finishScan() {
        Scan sc = scan;
        scan = null;
        sc.close();
        sc.segment.compacted = true;
        sc.segment.compactedAtSeq = sc.checkedAtSeq;
        compactions++;
        LOG.debug("compacted {}: {} live messages left, waiting for their removals", sc.segment, sc.segment.live);
    }

    /** Between groups: forces what was written since the last group (the copies), so reclaim may delete. */
    private void makeDurable() throws IOException {
        if (segmentDirty) {
            flush(segmentBuffer, segmentOut);
            if (force) {
                force(segmentOut);
            }
            segmentDirty = false;
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
        if (scan != null) {
            scan.close();
            scan = null;
        }
    }
}
