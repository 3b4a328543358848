package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Segment compaction, run by the writer thread between groups: when the sealed segments hold more dead bytes
 * than live ones (and at least two segments' worth), it walks the oldest segment a bounded step at a time and
 * writes the messages still live there again at the head of the log, so that the oldest segment empties and
 * prefix deletion can go on. Writer thread only.
 */
final class Compactor {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** Bytes of an old segment that one compaction step reads (and at most copies) before looking for commands. */
    private static final int COMPACT_STEP_BYTES = 256 << 10;
    /** Message records one compaction step checks under the store's lock. */
    private static final int COMPACT_STEP_RECORDS = 4096;
    /** Compaction needs this many segments' worth of dead bytes in the sealed segments (and more than live). */
    private static final int COMPACT_MIN_GARBAGE_SEGMENTS = 2;

    /** A MESSAGE record that compaction found in the segment it is emptying. */
    record Found(long id, long offset, int payloadLength, QueueKey[] queues) {
    }

    /** A live message to write again, with the queues that hold it now. */
    static final class Copy {
        final long id;
        final Found found;
        final QueueState[] queues;
        Segment segment;
        long offset;
        int payloadLength;

        Copy(long id, Found found, QueueState[] queues) {
            this.id = id;
            this.found = found;
            this.queues = queues;
        }
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

    private final MessageLocations index;
    private final SegmentFiles segments;
    private final LogStoreSettings settings;
    private final WriterStats stats;
    private final WriteFailure failure;
    private Scan scan;
    private boolean stuckReported;
    private final boolean enabled;

    Compactor(MessageLocations index, SegmentFiles segments, LogStoreSettings settings, WriterStats stats,
              WriteFailure failure) {
        this.index = index;
        this.segments = segments;
        this.settings = settings;
        this.stats = stats;
        this.failure = failure;
        this.enabled = settings.compaction();
    }

    /** True when there is no walk under way and nothing to compact; {@code processed} counts the commands. */
    boolean idle(long processed) {
        return scan == null && compactionTarget(processed) == null;
    }

    /**
     * The segment to compact next, or null. Only the oldest segment is compacted: deleting any other would drop
     * the removals it holds for messages in older segments. It is worth it once the sealed segments hold at least
     * {@value #COMPACT_MIN_GARBAGE_SEGMENTS} segments' worth of dead bytes and more dead bytes than live ones, so
     * disk use stays within about twice the live data, and a backlog consumed in order is never copied.
     */
    private Segment compactionTarget(long processed) {
        if (!enabled || failure.failed() || segments.count() < 2) {
            return null;
        }
        Segment oldest = segments.oldest();
        if (oldest == segments.active() || oldest.live == 0) {
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
        long sealedBytes = segments.sealedBytes();
        long sealedLive = segments.sealedLiveBytes();
        long garbage = sealedBytes - sealedLive;
        long threshold = Math.max(COMPACT_MIN_GARBAGE_SEGMENTS * settings.segmentBytes(), sealedLive);
        return garbage >= threshold ? oldest : null;
    }

    /**
     * One bounded step of compaction: reads up to {@value #COMPACT_STEP_BYTES} bytes of the oldest segment, asks
     * the index which of the messages found there are still live and with which queues, writes those again at
     * the head of the log (QUEUE_NAME records as needed), hands the records to the OS and then points the index
     * at them. Runs only between groups. Once the segment holds nothing live, the copies are forced and the
     * segment is deleted.
     */
    void step(long processed) {
        if (failure.failed()) {
            close();
            return;
        }
        if (scan == null) {
            Segment target = compactionTarget(processed);
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
        List<Copy> copies;
        byte[][] payloads;
        try {
            List<Found> found = readStep(sc);
            if (found.isEmpty()) {
                copies = List.of();
            } else {
                long[] seq = new long[1];
                copies = index.liveCopies(s, found, seq);
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
                long before = segments.recordBytesWritten();
                for (int i = 0; i < payloads.length; i++) {
                    Copy c = copies.get(i);
                    c.offset = segments.append(Records.MESSAGE, payloads[i], c.queues);
                    c.segment = segments.active();
                    c.payloadLength = payloads[i].length;
                }
                segments.flush(); // readers may look for the copies in the file from now on
                stats.compactedBytes += segments.recordBytesWritten() - before;
                if (failure.failed()) {
                    // Not in the file yet: readers keep the originals. The copies are written with the rest once
                    // the store writes again, and recovery lets such a copy replace its original.
                    finishScan();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                failure.fail(e);
                finishScan();
                return;
            }
            index.moved(copies);
            for (Copy c : copies) {
                segments.uncountLive(s, c.found.payloadLength());
                segments.countLive(c.segment, c.payloadLength);
            }
        }
        if (s.live == 0 || sc.cursor >= s.size) {
            finishScan();
            if (s.live == 0) {
                try {
                    segments.makeDurable();
                } catch (IOException | RuntimeException e) {
                    failure.fail(e);
                    return;
                }
                segments.reclaim(this);
            }
        }
    }

    /** Reads the next step of the segment being compacted; returns the MESSAGE records found. */
    private List<Found> readStep(Scan sc) throws IOException {
        Segment s = sc.segment;
        List<Found> found = new ArrayList<>();
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
                    found.add(new Found(id, sc.cursor, length, keys));
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
    private static byte[] copyPayload(Scan sc, Copy c) throws IOException {
        int oldLength = c.found.payloadLength();
        int at = sc.window.at(c.found.offset(), Records.HEADER + oldLength) + Records.HEADER;
        ByteBuffer buf = sc.window.buffer();
        int bodyAt = at + 12 + 4 * buf.getInt(at + 8);
        int bodyLength = buf.getInt(bodyAt);
        if (buf.getLong(at) != c.id || bodyLength < 0 || bodyAt + 4 + bodyLength != at + oldLength) {
            throw new IOException("the record of message " + c.id + " at offset " + c.found.offset()
                    + " changed while being compacted");
        }
        byte[] payload = new byte[16 + 4 * c.queues.length + bodyLength];
        ByteBuffer out = ByteBuffer.wrap(payload).putLong(c.id).putInt(c.queues.length);
        for (QueueState q : c.queues) {
            out.putInt(q.id);
        }
        out.putInt(bodyLength).put(buf.array(), bodyAt + 4, bodyLength);
        return payload;
    }

    /** Called by reclaim just before it deletes {@code s}. */
    void deleting(Segment s) {
        if (scan != null && scan.segment == s) {
            finishScan(); // emptied by removals before the walk reached its end
        }
    }

    /** Ends the walk through the segment being compacted; its remaining live messages wait for their removals. */
    private void finishScan() {
        Scan sc = scan;
        scan = null;
        sc.close();
        sc.segment.compacted = true;
        sc.segment.compactedAtSeq = sc.checkedAtSeq;
        stats.compactions++;
        LOG.debug("compacted {}: {} live messages left, waiting for their removals", sc.segment, sc.segment.live);
    }

    /** Drops a walk under way without finishing it (the store failed or is closing). */
    void close() {
        if (scan != null) {
            scan.close();
            scan = null;
        }
    }
}
