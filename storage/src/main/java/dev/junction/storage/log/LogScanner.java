package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the records of one file in order and repairs what it cannot read, so that a store always opens.
 *
 * <p>A record is valid when its length fits the file, its type is known and its CRC matches. At the first
 * invalid byte the scanner looks for the next valid record. Found: the bytes in between are copied to a side
 * file {@code <file>.corrupt-<epoch millis>} and covered in place by a PAD record, so the next open reads past
 * them quietly, and the scan goes on. Not found (a torn or corrupt tail, or garbage after the last record): the
 * rest of the file is copied to a side file and the file is truncated at the last valid record. Either way a
 * WARN line names the file, the offset and the side file.
 */
final class LogScanner {

    private static final Logger LOG = LoggerFactory.getLogger(LogScanner.class);
    private static final int WINDOW = 1 << 20;

    interface Visitor {
        /**
         * One valid record; {@code payload} is a view of a reused buffer (position 0, limit = length) that is
         * only valid during the call.
         */
        void record(byte type, ByteBuffer payload, long offset);
    }

    /** What a scan found. */
    record Result(long validEnd, long corruptBytes, int corruptRegions) {
    }

    private final Path file;
    private final FileChannel ch;
    private long size;
    private final RecordWindow window;
    private long corruptBytes;
    private int corruptRegions;

    private LogScanner(Path file, FileChannel ch) throws IOException {
        this.file = file;
        this.ch = ch;
        this.size = ch.size();
        this.window = new RecordWindow(file, ch, WINDOW);
    }

    /** Scans {@code file}, repairing it as described on the class; an empty file is valid and left empty. */
    static Result scan(Path file, Visitor visitor) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new LogScanner(file, ch).run(visitor);
        }
    }

    private Result run(Visitor visitor) throws IOException {
        if (size == 0) {
            return new Result(0, 0, 0);
        }
        if (size < Records.FILE_HEADER || !validFileHeader()) {
            LOG.warn("{} does not start with a valid header", file);
            quarantine(0, size);
            truncate(0);
            return new Result(0, corruptBytes, corruptRegions);
        }
        long pos = Records.FILE_HEADER;
        while (pos < size) {
            int length = validRecordAt(pos);
            if (length >= 0) {
                int at = window.at(pos, Records.HEADER + length);
                ByteBuffer buf = window.buffer();
                byte type = buf.get(at + 8);
                if (type != Records.PAD) {
                    ByteBuffer payload = ByteBuffer.wrap(buf.array(), at + Records.HEADER, length).slice();
                    visitor.record(type, payload, pos);
                }
                pos += Records.HEADER + length;
                continue;
            }
            long next = resync(pos + 1);
            if (next < 0) {
                quarantine(pos, size);
                truncate(pos);
                break;
            }
            quarantine(pos, next);
            neutralize(pos, next);
            pos = next;
        }
        return new Result(size, corruptBytes, corruptRegions);
    }

    private boolean validFileHeader() throws IOException {
        int at = window.at(0, Records.FILE_HEADER);
        ByteBuffer buf = window.buffer();
        return buf.getInt(at) == Records.MAGIC && buf.getInt(at + 4) == Records.VERSION;
    }

    private int validRecordAt(long pos) throws IOException {
        return window.validRecordAt(pos, size);
    }

    private long resync(long from) throws IOException {
        return window.resync(from, size);
    }

    private void quarantine(long from, long to) {
        corruptBytes += to - from;
        corruptRegions++;
        Path side = null;
        try {
            side = sideFile();
            try (FileChannel out = FileChannel.open(side, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long done = 0;
                while (done < to - from) {
                    done += ch.transferTo(from + done, to - from - done, out);
                }
                out.force(true);
            }
            LOG.warn("{}: {} unreadable bytes at offset {} copied to {}; {}", file, to - from, from,
                    side.getFileName(), to == size ? "the file is truncated there" : "reading resumes after them");
        } catch (IOException e) {
            LOG.warn("{}: {} unreadable bytes at offset {}; could not copy them to {}: {}", file, to - from, from,
                    side, e.toString());
        }
    }

    private Path sideFile() {
        String base = file.getFileName() + ".corrupt-" + System.currentTimeMillis();
        Path side = file.resolveSibling(base);
        for (int i = 1; Files.exists(side); i++) {
            side = file.resolveSibling(base + "-" + i);
        }
        return side;
    }

    private void truncate(long to) throws IOException {
        ch.truncate(to);
        ch.force(true);
        size = to;
        window.invalidate();
    }

    /** Covers [from, to) with a PAD record so that later scans step over it; too short a gap stays as it is. */
    private void neutralize(long from, long to) throws IOException {
        long length = to - from - Records.HEADER;
        if (length < 0) {
            return;
        }
        int at = window.at(from, (int) (to - from));
        ByteBuffer buf = window.buffer();
        ByteBuffer header = ByteBuffer.allocate(Records.HEADER);
        buf.put(at + 8, Records.PAD);
        header.putInt((int) length).putInt(Records.crc(buf, at, (int) length)).put(Records.PAD).flip();
        while (header.hasRemaining()) {
            ch.write(header, from + header.position());
        }
        ch.force(true);
        window.invalidate();
    }
}
