package dev.junction.storage.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link StreamLog} on disk: a directory of {@link StreamSegment}s, oldest first, of which only the last is
 * written. Appends queue up without a lock; one task on the shared writer thread takes everything queued, writes
 * it in one go (starting a new segment when the current one would pass {@code maxSegmentBytes}), forces the files
 * once (group commit) and then completes the futures, so a publisher confirm means the record is on disk.
 *
 * <p>What the heap holds does not grow with the stream's length: a few numbers per segment (first offset, end,
 * size, first and last timestamp) and a write buffer. Offsets and timestamps are looked up in the segments'
 * index files. Retention runs on the writer thread when a segment is started, at open
 * and when the settings change.
 */
public final class SegmentedStreamLog implements StreamLog {
    private static final int BUFFER = 256 * 1024;

    private final Path dir;
    /** Replaced by {@link #retention}; read by the writer thread. */
    private volatile StreamLogSettings settings;
    private final Executor writer;
    /** Oldest first; never empty; replaced whole (copy on write) by the writer thread. */
    private volatile List<StreamSegment> segments;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile IOException failure;

    // The writer thread's own.
    private long next;
    private long lastTimestamp = Long.MIN_VALUE;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

    private static final class Pending {
        final byte[] data;
        final long timestamp;
        final CompletableFuture<Long> done = new CompletableFuture<>();
        long offset;

        Pending(byte[] data, long timestamp) {
            this.data = data;
            this.timestamp = timestamp;
        }
    }

    private SegmentedStreamLog(Path dir, StreamLogSettings settings, Executor writer, List<StreamSegment> segments) {
        this.dir = dir;
        this.settings = settings;
        this.writer = writer;
        this.segments = List.copyOf(segments);
        StreamSegment last = segments.get(segments.size() - 1);
        this.next = last.end();
        for (StreamSegment s : segments) {
            lastTimestamp = Math.max(lastTimestamp, s.lastTimestamp());
        }
    }

    /** Opens (or creates) the log in {@code dir}, recovering its segments and applying retention. */
    public static SegmentedStreamLog open(Path dir, StreamLogSettings settings, Executor writer) throws IOException {
        Files.createDirectories(dir);
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                bases.add(Long.parseLong(n.substring(0, n.length() - 4)));
            }
        }
        bases.sort(null);
        List<StreamSegment> segs = new ArrayList<>();
        for (long base : bases) {
            segs.add(StreamSegment.open(dir, base));
        }
        if (segs.isEmpty()) {
            segs.add(StreamSegment.create(dir, 0));
        }
        SegmentedStreamLog log = new SegmentedStreamLog(dir, settings, writer, segs);
        log.retain(System.currentTimeMillis());
        return log;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public CompletableFuture<Long> append(byte[] data, long timestamp) {
        Pending p = new Pending(data, timestamp); // not copied: see StreamLog#append
        if (closed || failure != null) {
            p.done.completeExceptionally(closed ? new IllegalStateException("stream log closed")
                    : new UncheckedIOException(failure));
            return p.done;
        }
        pending.add(p);
        if (scheduled.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
        return p.done;
    }

    /** On the writer thread: writes and forces everything queued, then completes it. */
    private void drain() {
        scheduled.set(false);
        List<Pending> batch = new ArrayList<>();
        for (Pending p; (p = pending.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            if (failure != null) {
                throw failure;
            }
            StreamSegment active = segments.get(segments.size() - 1);
            buffer.clear();
            for (Pending p : batch) {
                int length = StreamSegment.HEADER + p.data.length;
                if (active.writeSize() > 0 && active.writeSize() + length > settings.maxSegmentBytes()) {
                    flush(active);
                    active.force(next, lastTimestamp);
                    active = roll();
                }
                if (buffer.remaining() < length) {
                    flush(active);
                    if (buffer.capacity() < length) {
                        buffer = ByteBuffer.allocate(length);
                    }
                }
                long ts = Math.max(p.timestamp, lastTimestamp);
                active.encode(buffer, next, ts, p.data);
                p.offset = next++;
                lastTimestamp = ts;
            }
            flush(active);
            active.force(next, lastTimestamp);
            if (buffer.capacity() > BUFFER) {
                buffer = ByteBuffer.allocate(BUFFER);
            }
        } catch (IOException | RuntimeException e) {
            // A half-written batch leaves the files out of step with the writer: refuse everything from now on;
            // a restart cuts the torn tail.
            failure = e instanceof IOException io ? io : new IOException(e);
            batch.forEach(p -> p.done.completeExceptionally(e));
            return;
        }
        batch.forEach(p -> p.done.complete(p.offset));
        listeners.forEach(Runnable::run);
    }

    private void flush(StreamSegment active) throws IOException {
        if (buffer.position() > 0) {
            active.write(buffer);
        }
    }

    /** Starts a new segment at the next offset, then applies retention (as RabbitMQ does, on segment roll). */
    private StreamSegment roll() throws IOException {
        StreamSegment s = StreamSegment.create(dir, next);
        List<StreamSegment> segs = new ArrayList<>(segments);
        segs.add(s);
        segments = List.copyOf(segs);
        retain(System.currentTimeMillis());
        return s;
    }

    @Override
    public CompletableFuture<Void> retention(StreamLogSettings next) {
        settings = next;
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.execute(() -> {
            try {
                if (!closed && failure == null) {
                    retain(System.currentTimeMillis());
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void retain(long now) throws IOException {
        List<StreamSegment> segs = segments;
        long total = 0;
        for (StreamSegment s : segs) {
            total += s.size();
        }
        int drop = 0;
        while (drop < segs.size() - 1) {
            StreamSegment s = segs.get(drop);
            boolean overBytes = settings.maxBytes() > 0 && total > settings.maxBytes();
            boolean tooOld = settings.maxAgeMillis() > 0 && !s.isEmpty()
                    && s.lastTimestamp() < now - settings.maxAgeMillis();
            if (!overBytes && !tooOld) {
                break;
            }
            total -= s.size();
            drop++;
        }
        if (drop > 0) {
            segments = List.copyOf(segs.subList(drop, segs.size()));
            for (int i = 0; i < drop; i++) {
                segs.get(i).delete(); // a reader in it fails its read and starts again at the new first offset
            }
        }
    }

    @Override
    public long first() {
        return segments.get(0).base;
    }

    @Override
    public long end() {
        List<StreamSegment> segs = segments;
        return segs.get(segs.size() - 1).end();
    }

    @Override
    public long bytes() {
        long total = 0;
        for (StreamSegment s : segments) {
            total += s.size();
        }
        return total;
    }

    @Override
    public int segmentCount() {
        return segments.size();
    }

    @Override
    public long offsetAt(long timestamp) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                for (StreamSegment s : segments) {
                    if (!s.isEmpty() && s.lastTimestamp() >= timestamp) {
                        return Math.max(s.offsetAt(timestamp), first());
                    }
                }
                return end();
            } catch (IOException e) {
                // The segment was deleted by retention meanwhile: look again.
            }
        }
        return first();
    }

    @Override
    public List<StreamRecord> read(StreamCursor cursor, int max, long maxBytes) {
        for (int attempt = 0; attempt < 3; attempt++) {
            List<StreamSegment> segs = segments;
            long first = segs.get(0).base;
            if (cursor.offset() < first) {
                cursor.seek(first);
            }
            long offset = cursor.offset();
            if (offset >= segs.get(segs.size() - 1).end() || max <= 0) {
                return List.of();
            }
            try {
                StreamSegment seg = cursor.segment();
                long pos = cursor.position();
                if (seg == null || pos < 0 || offset < seg.base || offset >= seg.end()) {
                    seg = locate(segs, offset);
                    pos = seg.positionOf(offset);
                }
                long[] newPosition = new long[1];
                List<StreamRecord> got = seg.read(pos, offset, seg.end(), max, maxBytes, newPosition);
                if (!got.isEmpty()) {
                    cursor.advance(offset + got.size(), seg, newPosition[0]);
                }
                return got;
            } catch (IOException e) {
                // Retention deleted the segment under the reader: start again from the oldest kept record.
                cursor.seek(first());
            }
        }
        return List.of();
    }

    /** The segment holding {@code offset}: the last one starting at or before it. */
    private static StreamSegment locate(List<StreamSegment> segs, long offset) {
        int lo = 0;
        int hi = segs.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segs.get(mid).base <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return segs.get(lo);
    }

    @Override
    public void onDurable(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.execute(() -> {
            drain();
            segments.forEach(StreamSegment::close);
            done.complete(null);
        });
        done.join();
    }

    /** Closes the log and deletes its files. */
    public void delete() throws IOException {
        close();
        for (StreamSegment s : segments) {
            s.delete();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
