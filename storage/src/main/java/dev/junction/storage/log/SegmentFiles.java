package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The message segments as the writer thread keeps them: records go to the active segment through a buffer, a
 * full segment is rolled over to a new one, each segment counts its live messages, and the oldest segments are
 * deleted once nothing in them is live. Writer thread only.
 */
final class SegmentFiles {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    private static final int BUFFER = 1 << 20;
    /** File header plus the SEGMENT_START record: a segment this size holds nothing else. */
    private static final long EMPTY_SEGMENT = Records.FILE_HEADER + Records.HEADER + 16;

    private final Path dir;
    private final LogStoreSettings settings;
    private final RecordAppender appender;
    private final FileSync sync;
    private final WriterStats stats;
    private final WriteFailure failure;

    private final TreeMap<Long, Segment> segments;
    private Segment active;
    private RedoFile segmentOut;
    private final ByteBuffer segmentBuffer = ByteBuffer.allocateDirect(BUFFER);
    private boolean segmentDirty;
    private long writtenHighest;
    /** Sizes of all segments, and the bytes of live MESSAGE records in them. */
    private long segmentBytes;
    private long liveBytes;
    /** Segment bytes written so far (for the compaction statistics). */
    private long recordBytesWritten;
    volatile LogWriter.DeleteHook deleteHook;
    private final MessageLocations index;

    SegmentFiles(MessageLocations index, Path dir, LogStoreSettings settings, Recovery recovered,
                 RecordAppender appender, FileSync sync, WriterStats stats, WriteFailure failure) {
        this.failure = failure;
        this.index = index;
        this.dir = dir;
        this.settings = settings;
        this.appender = appender;
        this.sync = sync;
        this.stats = stats;
        this.segments = recovered.segments;
        this.writtenHighest = recovered.highestId;
        long bytes = 0;
        for (Segment s : segments.values()) {
            bytes += s.size;
            liveBytes += s.liveBytes;
        }
        segmentBytes = bytes;
        stats.bytesOnDisk = bytes;
    }

    /** Every open writes to a fresh segment; recovered ones are only read, and deleted once dead. */
    void startFresh() throws IOException {
        long number = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        startSegment(number);
    }

    Segment active() {
        return active;
    }

    Segment oldest() {
        return segments.firstEntry().getValue();
    }

    int count() {
        return segments.size();
    }

    /** Bytes of the segments other than the active one. */
    long sealedBytes() {
        return segmentBytes - active.size;
    }

    /** Bytes of the live MESSAGE records in the segments other than the active one. */
    long sealedLiveBytes() {
        return liveBytes - active.liveBytes;
    }

    long recordBytesWritten() {
        return recordBytesWritten;
    }

    // ---- appending -----------------------------------------------------------------------------------------

    /** Writes a new message's record and tells readers where it is. */
    void appendMessage(Cmd.Message c) throws IOException {
        Msg msg = c.msg();
        long offset = append(Records.MESSAGE, msg.payload, c.queues());
        index.located(msg.id, active, offset, msg.payloadLength());
        countLive(active, msg.payloadLength());
        writtenHighest = Math.max(writtenHighest, msg.id);
    }

    void appendRemoval(Cmd.Remove c) throws IOException {
        appendRemove(new QueueState[] {c.queue()}, c.messageId());
        freed(c.freed());
    }

    /** One REMOVE record per id of a REMOVE_MANY command: the log format stays as it is. */
    void appendRemovals(Cmd.RemoveMany c) throws IOException {
        QueueState[] queue = {c.queue()};
        for (long id : c.removed()) {
            appendRemove(queue, id);
        }
        freed(c.freed());
    }

    void appendQueueRemoval(Cmd.RemoveQueue c) throws IOException {
        QueueState q = c.queue();
        append(Records.REMOVE_QUEUE, ByteBuffer.allocate(4).putInt(q.id).array(), new QueueState[] {q});
        freed(c.freed());
    }

    void appendIdMark(Cmd.IdMark c) throws IOException {
        append(Records.ID_MARK, ByteBuffer.allocate(8).putLong(c.id()).array(), null);
        writtenHighest = Math.max(writtenHighest, c.id());
    }

    /** A REMOVE record: the queue's id in this store instance, then the message id. */
    private void appendRemove(QueueState[] queue, long id) throws IOException {
        append(Records.REMOVE, ByteBuffer.allocate(12).putInt(queue[0].id).putLong(id).array(), queue);
    }

    private void freed(long[] ids) {
        if (ids.length > 0) {
            index.free(ids, this::uncountLive);
        }
    }

    /**
     * Appends a record, preceded by a QUEUE_NAME record for each of {@code queues} the active segment lacks;
     * returns its offset.
     */
    long append(byte type, byte[] payload, QueueState[] queues) throws IOException {
        long needed = Records.HEADER + payload.length;
        if (queues != null) {
            for (QueueState q : queues) {
                if (q.declaredIn != active.number) {
                    needed += Records.HEADER + 12 + 3L * (q.key.vhost().length() + q.key.name().length());
                }
            }
        }
        // No roll during a write incident: the active segment grows past its size instead, and is rolled once
        // the store writes again, so that one file holds everything that waits to be written again.
        if (!failure.failed() && active.size > EMPTY_SEGMENT && active.size + needed > settings.segmentBytes()) {
            rollSegment();
        }
        if (queues != null) {
            for (QueueState q : queues) {
                if (q.declaredIn != active.number) {
                    byte[] name = new Records.Payload(32).putInt(q.id)
                            .putString(q.key.vhost()).putString(q.key.name()).toArray();
                    writeSegmentRecord(Records.QUEUE_NAME, name);
                    q.declaredIn = active.number;
                }
            }
        }
        return writeSegmentRecord(type, payload);
    }

    private long writeSegmentRecord(byte type, byte[] payload) throws IOException {
        long offset = active.size;
        appender.append(segmentBuffer, segmentOut, type, payload);
        int bytes = Records.HEADER + payload.length;
        active.size += bytes;
        segmentBytes += bytes;
        recordBytesWritten += bytes;
        stats.bytesOnDisk += bytes;
        segmentDirty = true;
        return offset;
    }

    void countLive(Segment s, int payloadLength) {
        s.addLive(payloadLength);
        liveBytes += Records.HEADER + payloadLength;
    }

    void uncountLive(Segment s, int payloadLength) {
        s.dropLive(payloadLength);
        liveBytes -= Records.HEADER + payloadLength;
    }

    // ---- flushing and forcing ------------------------------------------------------------------------------

    void flush() throws IOException {
        RecordAppender.flush(segmentBuffer, segmentOut);
    }

    /** During a write incident: writes what the active segment is owed again; true once it is durable. */
    boolean repair() {
        return segmentOut.repair();
    }

    void flushIfDirty() throws IOException {
        if (segmentDirty) {
            flush();
        }
    }

    void forceIfDirty() throws IOException {
        if (segmentDirty) {
            segmentOut.force();
        }
    }

    void markClean() {
        segmentDirty = false;
    }

    /** Between groups: forces what was written since the last group (the copies), so reclaim may delete. */
    void makeDurable() throws IOException {
        if (segmentDirty) {
            flush();
            segmentOut.force();
            segmentDirty = false;
        }
    }

    // ---- rolling and deleting ------------------------------------------------------------------------------

    private void startSegment(long number) throws IOException {
        Path path = dir.resolve(Segment.fileName(number));
        Segment s = new Segment(number, path);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // Without a file there is nothing to write again into: not an incident the writer can end.
            throw new IllegalStateException("cannot create " + path + ": " + e, e);
        }
        RedoFile out = new RedoFile(ch, 0, sync, failure);
        ByteBuffer start = ByteBuffer.allocate((int) EMPTY_SEGMENT);
        ByteBuffer body = ByteBuffer.allocate(16).putLong(number).putLong(writtenHighest);
        int checksum = appender.checksum(Records.SEGMENT_START, body.array());
        start.putInt(Records.MAGIC).putInt(Records.VERSION)
                .putInt(16).putInt(checksum).put(Records.SEGMENT_START).put(body.array()).flip();
        out.write(start); // a full disk here starts an incident; the header is written again with the rest
        if (sync.forceWrites) {
            out.force();
            sync.syncDirectory();
        }
        s.size = EMPTY_SEGMENT;
        segmentBytes += EMPTY_SEGMENT;
        stats.bytesOnDisk += EMPTY_SEGMENT;
        segments.put(number, s);
        stats.segmentCount = segments.size();
        active = s;
        segmentOut = out;
    }

    private void rollSegment() throws IOException {
        flush();
        if (segmentDirty) {
            segmentOut.force();
        }
        if (failure.failed()) {
            return; // keep writing to this segment until the store writes again
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
    void reclaim(Compactor compactor) {
        while (true) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Segment s = first.getValue();
            if (s == active || s.live > 0) {
                break;
            }
            LogWriter.DeleteHook hook = deleteHook;
            if (hook != null && !hook.mayDelete(s)) {
                break;
            }
            compactor.deleting(s);
            segments.pollFirstEntry();
            s.markDeleted();
            try {
                Files.deleteIfExists(s.path);
                if (sync.forceWrites) {
                    sync.syncDirectory();
                }
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", s.path, e.toString());
            }
            stats.bytesOnDisk -= s.size;
            segmentBytes -= s.size;
            stats.segmentCount = segments.size();
        }
    }

    // ---- close ---------------------------------------------------------------------------------------------

    void forceOnClose() throws IOException {
        segmentOut.forceOnClose();
    }

    void closeOutput() {
        segmentOut.close();
    }

    void closeReaders() {
        for (Segment s : segments.values()) {
            s.closeReader();
        }
    }
}
