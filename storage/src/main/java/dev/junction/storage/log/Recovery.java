package dev.junction.storage.log;

import dev.junction.storage.HeapBudget;
import dev.junction.storage.QueueKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rebuilds a store's state from its directory: the metadata log first, then every segment in order. Logs
 * progress every million records or five seconds, and the totals at the end.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.seg");
    private static final Pattern META = Pattern.compile("meta-(\\d{20})\\.(log|tmp)");
    private static final long PROGRESS_RECORDS = 1_000_000;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

    final TreeMap<Long, Segment> segments = new TreeMap<>();
    final MessageTable messages = new MessageTable();
    final Map<QueueKey, QueueState> queues = new HashMap<>();
    final MetaState meta = new MetaState();
    int nextQueueId = 1;
    long highestId;
    long metaNumber;
    long metaSize;
    long corruptBytes;

    private long records;
    private long skipped;
    private long started;
    private long lastProgressRecords;
    private long lastProgressNanos;
    private int segmentIndex;
    /** Bytes of the files to read, bytes of the files read before the current one, heap used when we began. */
    private long totalBytes;
    private long bytesBefore;
    private long currentOffset;
    private long heapAtStart;

    static String metaFileName(long number) {
        return String.format("meta-%020d.log", number);
    }

    static Recovery run(Path dir) throws IOException {
        Recovery r = new Recovery();
        r.recover(dir);
        return r;
    }

    private void recover(Path dir) throws IOException {
        started = System.nanoTime();
        lastProgressNanos = started;
        TreeMap<Long, Path> segmentFiles = new TreeMap<>();
        TreeMap<Long, Path> metaFiles = new TreeMap<>();
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Matcher m = SEGMENT.matcher(name);
                if (m.matches()) {
                    segmentFiles.put(Long.parseLong(m.group(1)), f);
                    continue;
                }
                m = META.matcher(name);
                if (m.matches()) {
                    if (m.group(2).equals("tmp")) {
                        leftovers.add(f); // an interrupted compaction; the log it was replacing is still there
                    } else {
                        metaFiles.put(Long.parseLong(m.group(1)), f);
                    }
                }
            }
        }
        for (Path f : leftovers) {
            Files.deleteIfExists(f);
        }

        for (Path f : segmentFiles.values()) {
            totalBytes += Files.size(f);
        }
        heapAtStart = HeapBudget.usedAfterCollection();
        if (!metaFiles.isEmpty()) {
            Map.Entry<Long, Path> newest = metaFiles.lastEntry();
            long metaBytes = Files.size(newest.getValue());
            totalBytes += metaBytes;
            // Estimated from the metadata log's size before reading it: each entry is kept as a copy of its
            // record, plus its key and a map entry (about three times the bytes on disk).
            HeapBudget.require("the store's metadata (" + (metaBytes >> 10) + " KiB of definitions and sessions)",
                    metaBytes * 3);
            metaNumber = newest.getKey();
            LogScanner.Result result = LogScanner.scan(newest.getValue(), this::metaRecord);
            bytesBefore = metaBytes;
            metaSize = result.validEnd();
            corruptBytes += result.corruptBytes();
            for (Path older : metaFiles.headMap(metaNumber).values()) {
                Files.deleteIfExists(older); // superseded by a finished compaction
            }
        }

        long bytes = 0;
        for (Map.Entry<Long, Path> e : segmentFiles.entrySet()) {
            Segment segment = new Segment(e.getKey(), e.getValue());
            Map<Integer, QueueState> names = new HashMap<>();
            LogScanner.Result result = LogScanner.scan(e.getValue(), (type, payload, offset) ->
                    segmentRecord(segment, names, type, payload, offset));
            bytesBefore += Files.size(e.getValue());
            currentOffset = 0;
            segment.size = result.validEnd();
            corruptBytes += result.corruptBytes();
            bytes += segment.size;
            segments.put(segment.number, segment);
            segmentIndex++;
        }
        queues.values().removeIf(q -> q.ids.isEmpty());

        LOG.info("store recovered in {} ms: {} records in {} segments ({} MiB), {} messages in {} queues, "
                        + "{} metadata entries, highest message id {}{}{}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), records, segments.size(),
                bytes >> 20, messages.live(), queues.size(), meta.size(), highestId,
                skipped > 0 ? ", " + skipped + " malformed records skipped" : "",
                corruptBytes > 0 ? ", " + corruptBytes + " corrupt bytes quarantined" : "");
    }

    private void progress() {
        records++;
        if ((records & 0xFFFF) == 0 && totalBytes > 0) {
            // Past the heap's ceiling: stop with the size needed rather than run out of memory part way.
            HeapBudget.check("the store (" + (totalBytes >> 20) + " MiB in " + (segmentIndex + 1) + "+ segments)",
                    (double) (bytesBefore + currentOffset) / totalBytes, heapAtStart);
        }
        if ((records & 0xFFFF) != 0 && records - lastProgressRecords < PROGRESS_RECORDS) {
            return;
        }
        long now = System.nanoTime();
        if (records - lastProgressRecords >= PROGRESS_RECORDS || now - lastProgressNanos >= PROGRESS_NANOS) {
            LOG.info("recovering store: {} records read, segment {} so far, {} messages, {} s",
                    records, segmentIndex + 1, messages.live(), TimeUnit.NANOSECONDS.toSeconds(now - started));
            lastProgressRecords = records;
            lastProgressNanos = now;
        }
    }

    private void metaRecord(byte type, ByteBuffer payload, long offset) {
        currentOffset = offset;
        progress();
        try {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            MetaFormat<?> table = MetaFormat.of(type);
            Object key = table.key(type, copy);
            MetaRecord entry = type == table.putType ? table.entry(copy) : null;
            meta.apply(table, key, entry);
            if (entry != null && table.offHeap) {
                // Durable where it is: keep its place, not its bytes (read back on demand).
                entry.placed(metaNumber, offset);
            }
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            malformed("metadata log", type, offset, e);
        }
    }

    private void segmentRecord(Segment segment, Map<Integer, QueueState> names, byte type, ByteBuffer p,
                               long offset) {
        currentOffset = offset;
        progress();
        try {
            switch (type) {
                case Records.SEGMENT_START -> {
                    p.getLong();
                    highestId = Math.max(highestId, p.getLong());
                }
                case Records.QUEUE_NAME -> {
                    int local = p.getInt();
                    QueueKey key = new QueueKey(Records.string(p), Records.string(p));
                    names.put(local, queues.computeIfAbsent(key, k -> new QueueState(k, nextQueueId++)));
                }
                case Records.MESSAGE -> message(segment, names, p, offset);
                case Records.REMOVE -> {
                    QueueState q = names.get(p.getInt());
                    long id = p.getLong();
                    if (q != null && q.ids.remove(id)) {
                        release(id);
                    }
                }
                case Records.REMOVE_QUEUE -> {
                    QueueState q = names.get(p.getInt());
                    if (q != null) {
                        q.ids.forEach(this::release);
                        q.ids.clear();
                        queues.remove(q.key, q);
                    }
                }
                case Records.ID_MARK -> highestId = Math.max(highestId, p.getLong());
                default -> throw new IllegalArgumentException("record type " + type + " does not belong here");
            }
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            malformed(segment.toString(), type, offset, e);
        }
    }

    private void message(Segment segment, Map<Integer, QueueState> names, ByteBuffer p, long offset) {
        int length = p.remaining();
        long id = p.getLong();
        int n = p.getInt();
        if (id < 1 || n < 0 || n > (length - 16) / 4) {
            throw new IllegalArgumentException("bad message header: id " + id + ", " + n + " queues");
        }
        QueueState[] targets = new QueueState[n];
        for (int i = 0; i < n; i++) {
            targets[i] = names.get(p.getInt());
        }
        int dataLength = p.getInt();
        if (dataLength != p.remaining()) {
            throw new IllegalArgumentException("body length " + dataLength + " but " + p.remaining() + " bytes");
        }
        highestId = Math.max(highestId, id);
        if (messages.present(id)) {
            // A later record of a message still stored (a copy made by compaction) supersedes the earlier one:
            // its queue list is what the queues held when it was written, and later records apply on top.
            for (QueueState q : queues.values()) {
                if (q.ids.remove(id) && messages.release(id)) {
                    break;
                }
            }
            messages.segment(id).dropLive(messages.length(id));
            messages.free(id);
        }
        messages.add(id, 0, length);
        messages.locate(id, segment, offset, length);
        for (QueueState q : targets) {
            if (q == null) {
                skipped++;
                LOG.warn("{}: message {} at offset {} names a queue with no name record; reference dropped",
                        segment, id, offset);
            } else if (q.ids.add(id)) {
                messages.retain(id);
            }
        }
        if (messages.refs(id) > 0) {
            segment.addLive(length);
        } else {
            messages.free(id);
        }
    }

    /** Drops one reference to a message the queue held; the last one frees it. */
    private void release(long id) {
        if (messages.release(id)) {
            messages.segment(id).dropLive(messages.length(id));
            messages.free(id);
        }
    }

    private void malformed(String where, byte type, long offset, RuntimeException e) {
        skipped++;
        LOG.warn("{}: skipping malformed record of type {} at offset {}: {}", where, type, offset, e.toString());
    }
}
