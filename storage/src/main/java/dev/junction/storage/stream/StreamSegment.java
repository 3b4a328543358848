package dev.junction.storage.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment of a stream: a data file of records and its sparse index, named by the segment's first offset
 * ({@code 00000000000000000042.seg}, {@code .sidx}).
 *
 * <p>A record is a 24-byte header (length of the data, CRC32C of the data, offset, timestamp) and the data. The
 * index has a 20-byte entry (offset, timestamp, file position) for the segment's first record and then for the
 * first record after each {@value #INDEX_INTERVAL} bytes, so it is both the offset index and the time index:
 * offsets and timestamps both only grow along the file, and one binary search over the entries finds either
 * within {@value #INDEX_INTERVAL} bytes of scanning. The heap holds only the few numbers below per segment.
 *
 * <p>The writer thread appends past {@link #size()} and publishes the new end after forcing both files; readers
 * read below it with positional reads, which need no lock. A torn tail after a crash is cut at open.
 */
final class StreamSegment {
    static final int HEADER = 24;
    static final int INDEX_ENTRY = 20;
    static final int INDEX_INTERVAL = 4096;
    private static final int SCAN_BLOCK = 64 * 1024;

    final long base;
    private final Path dataFile;
    private final Path indexFile;
    private final FileChannel data;
    private final FileChannel index;

    // Durable state, written by the writer thread after a force, read by anyone.
    private volatile long end;
    private volatile long size;
    private volatile long firstTimestamp = Long.MIN_VALUE;
    private volatile long lastTimestamp = Long.MIN_VALUE;

    // The writer's own: where the next record goes and where the last index entry points.
    private long writeSize;
    private long lastIndexed = -INDEX_INTERVAL;
    private long indexSize;
    /** Index bytes whose entries are whole and durable: what readers search. */
    private volatile long indexDurable;

    private StreamSegment(Path dir, long base) throws IOException {
        this.base = base;
        this.dataFile = dir.resolve(name(base, ".seg"));
        this.indexFile = dir.resolve(name(base, ".sidx"));
        this.data = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        this.index = FileChannel.open(indexFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        this.end = base;
    }

    static String name(long base, String suffix) {
        return String.format("%020d%s", base, suffix);
    }

    static StreamSegment create(Path dir, long base) throws IOException {
        return new StreamSegment(dir, base);
    }

    /** Opens a segment written before, cutting a torn tail (records that fail their CRC, index entries past it). */
    static StreamSegment open(Path dir, long base) throws IOException {
        StreamSegment s = new StreamSegment(dir, base);
        s.recover();
        return s;
    }

    private void recover() throws IOException {
        long entries = index.size() / INDEX_ENTRY;
        long dataSize = data.size();
        while (true) {
            long from = 0;
            long offset = base;
            ByteBuffer e = ByteBuffer.allocate(INDEX_ENTRY);
            // The last index entry that points into the data file; older ones are known good.
            while (entries > 0) {
                e.clear();
                readFully(index, e, (entries - 1) * INDEX_ENTRY);
                e.flip();
                long o = e.getLong();
                e.getLong();
                long pos = e.getInt() & 0xffffffffL;
                if (pos < dataSize) {
                    from = pos;
                    offset = o;
                    break;
                }
                entries--;
            }
            Scan scan = scan(from, offset, dataSize);
            if (scan.records == 0 && entries > 0) {
                // The indexed record itself is torn: drop its entry and scan again from the one before.
                dataSize = from;
                entries--;
                continue;
            }
            dataSize = scan.position;
            data.truncate(dataSize);
            index.truncate(entries * INDEX_ENTRY);
            indexSize = entries * INDEX_ENTRY;
            indexDurable = indexSize;
            end = scan.offset;
            size = dataSize;
            writeSize = dataSize;
            lastIndexed = entries == 0 ? -INDEX_INTERVAL : from;
            lastTimestamp = scan.lastTimestamp;
            if (end > base) {
                firstTimestamp = readHeader(0).timestamp;
            }
            if (entries == 0 && end > base) {
                // The first record always has an entry.
                writeIndex(base, firstTimestamp, 0);
                lastIndexed = 0;
                indexDurable = indexSize;
            }
            return;
        }
    }

    private record Scan(long position, long offset, long lastTimestamp, long records) {
    }

    /** Reads records from {@code pos} while they are whole and check out; where the good part ends. */
    private Scan scan(long pos, long offset, long limit) throws IOException {
        long last = Long.MIN_VALUE;
        long n = 0;
        CRC32C crc = new CRC32C();
        while (pos + HEADER <= limit) {
            Header h = readHeader(pos);
            if (h.length < 0 || pos + HEADER + h.length > limit || h.offset != offset) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(h.length);
            readFully(data, body, pos + HEADER);
            crc.reset();
            crc.update(body.array());
            if ((int) crc.getValue() != h.crc) {
                break;
            }
            last = h.timestamp;
            pos += HEADER + h.length;
            offset++;
            n++;
        }
        return new Scan(pos, offset, last, n);
    }

    private record Header(int length, int crc, long offset, long timestamp) {
    }

    private Header readHeader(long pos) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER);
        readFully(data, b, pos);
        b.flip();
        return new Header(b.getInt(), b.getInt(), b.getLong(), b.getLong());
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of " + ch);
            }
            pos += n;
        }
    }

    // ---- writer thread ----------------------------------------------------------------------------------------

    long writeSize() {
        return writeSize;
    }

    /**
     * Encodes one record into {@code out} at the segment's write position (the caller writes {@code out} with
     * {@link #write}); adds an index entry when one is due.
     */
    void encode(ByteBuffer out, long offset, long timestamp, byte[] bytes) throws IOException {
        long pos = writeSize;
        if (pos - lastIndexed >= INDEX_INTERVAL || pos == 0) {
            writeIndex(offset, timestamp, pos);
            lastIndexed = pos;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        out.putInt(bytes.length).putInt((int) crc.getValue()).putLong(offset).putLong(timestamp).put(bytes);
        writeSize += HEADER + bytes.length;
    }

    private void writeIndex(long offset, long timestamp, long pos) throws IOException {
        ByteBuffer e = ByteBuffer.allocate(INDEX_ENTRY);
        e.putLong(offset).putLong(timestamp).putInt((int) pos).flip();
        while (e.hasRemaining()) {
            indexSize += index.write(e, indexSize);
        }
    }

    /** Writes encoded records ending at the write position. */
    void write(ByteBuffer out) throws IOException {
        out.flip();
        long pos = writeSize - out.remaining();
        while (out.hasRemaining()) {
            pos += data.write(out, pos);
        }
        out.clear();
    }

    /** Forces data, then index, and publishes what is now durable. */
    void force(long newEnd, long newLastTimestamp) throws IOException {
        data.force(false);
        index.force(false);
        if (firstTimestamp == Long.MIN_VALUE && newEnd > base) {
            firstTimestamp = readHeader(0).timestamp;
        }
        lastTimestamp = newLastTimestamp;
        indexDurable = indexSize;
        size = writeSize;
        end = newEnd;
    }

    // ---- any thread -------------------------------------------------------------------------------------------

    long end() {
        return end;
    }

    long size() {
        return size;
    }

    long firstTimestamp() {
        return firstTimestamp;
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    boolean isEmpty() {
        return end == base;
    }

    /** The file position of the record at {@code offset} (base &lt;= offset &lt; end): index search, short scan. */
    long positionOf(long offset) throws IOException {
        long[] entry = searchIndex(true, offset);
        long pos = entry[1];
        long o = entry[0];
        while (o < offset) {
            Header h = readHeader(pos);
            pos += HEADER + h.length;
            o++;
        }
        return pos;
    }

    /** The offset of the first durable record here stamped at or after {@code timestamp}, else {@link #end()}. */
    long offsetAt(long timestamp) throws IOException {
        long[] entry = searchIndex(false, timestamp);
        long pos = entry[1];
        long o = entry[0];
        long limit = size;
        long stop = end;
        while (o < stop && pos + HEADER <= limit) {
            Header h = readHeader(pos);
            if (h.timestamp >= timestamp) {
                return o;
            }
            pos += HEADER + h.length;
            o++;
        }
        return stop;
    }

    /**
     * The last index entry (offset, position) whose offset ({@code byOffset}) is at most {@code key}, or whose
     * timestamp is below {@code key}; the segment's start when there is none.
     */
    private long[] searchIndex(boolean byOffset, long key) throws IOException {
        long lo = 0;
        long hi = indexDurable / INDEX_ENTRY - 1;
        long[] best = {base, 0};
        ByteBuffer e = ByteBuffer.allocate(INDEX_ENTRY);
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            e.clear();
            readFully(index, e, mid * INDEX_ENTRY);
            e.flip();
            long o = e.getLong();
            long t = e.getLong();
            long pos = e.getInt() & 0xffffffffL;
            boolean before = byOffset ? o <= key : t < key;
            if (before && pos < size) {
                best = new long[] {o, pos};
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /**
     * Reads records from {@code pos} (the record at {@code offset}) up to {@code stop} (exclusive, at most the
     * durable end), at most {@code max} and about {@code maxBytes}; the caller moves its cursor by what it got.
     */
    List<StreamRecord> read(long pos, long offset, long stop, int max, long maxBytes, long[] newPosition)
            throws IOException {
        List<StreamRecord> out = new ArrayList<>(Math.min(max, 256));
        long limit = size;
        long bytes = 0;
        ByteBuffer block = ByteBuffer.allocate((int) Math.min(SCAN_BLOCK, Math.max(HEADER, limit - pos)));
        block.limit(0);
        long blockStart = pos;
        while (offset < stop && out.size() < max && (out.isEmpty() || bytes < maxBytes) && pos + HEADER <= limit) {
            if (pos + HEADER > blockStart + block.limit()) {
                block = refill(block, pos, HEADER, limit);
                blockStart = pos;
            }
            block.position((int) (pos - blockStart));
            int length = block.getInt();
            block.getInt();
            long o = block.getLong();
            long t = block.getLong();
            if (o != offset) {
                throw new IOException("stream segment " + dataFile + " out of order at " + pos);
            }
            byte[] body = new byte[length];
            if (pos + HEADER + length > blockStart + block.limit()) {
                ByteBuffer b = ByteBuffer.wrap(body);
                readFully(data, b, pos + HEADER);
                block.limit(0);
                blockStart = pos + HEADER + length;
            } else {
                block.get(body);
            }
            out.add(new StreamRecord(o, t, body));
            bytes += length;
            pos += HEADER + length;
            offset++;
        }
        newPosition[0] = pos;
        return out;
    }

    private ByteBuffer refill(ByteBuffer block, long pos, int need, long limit) throws IOException {
        int len = (int) Math.min(Math.max(SCAN_BLOCK, need), limit - pos);
        ByteBuffer b = block.capacity() >= len ? block : ByteBuffer.allocate(len);
        b.clear().limit(len);
        readFully(data, b, pos);
        b.flip();
        return b;
    }

    void close() {
        try {
            data.close();
            index.close();
        } catch (IOException e) {
            // Nothing left to keep: the files are closed or being deleted.
        }
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(dataFile);
        Files.deleteIfExists(indexFile);
    }
}
