package dev.junction.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A read window over one log file, for walking its records in order: makes a byte range addressable in a heap
 * buffer (reading ahead as far as the buffer goes) and tells whether a valid record starts at an offset. Used by
 * the recovery scan and by segment compaction.
 */
final class RecordWindow {

    private final Path file;
    private final FileChannel ch;
    private ByteBuffer window;
    private long windowStart;
    private int windowLength;

    RecordWindow(Path file, FileChannel ch, int capacity) {
        this.file = file;
        this.ch = ch;
        this.window = ByteBuffer.allocate(capacity);
    }

    /** The buffer that {@link #at} indexes into; replaced when a range larger than it is asked for. */
    ByteBuffer buffer() {
        return window;
    }

    /** Forgets what was read, after the file was changed underneath. */
    void invalidate() {
        windowLength = 0;
    }

    /** Makes [pos, pos + n) readable in {@link #buffer()} and returns the index of pos in it. */
    int at(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + windowLength) {
            return (int) (pos - windowStart);
        }
        if (n > window.capacity()) {
            window = ByteBuffer.allocate(Math.max(n, window.capacity() * 2));
        }
        window.clear();
        long p = pos;
        while (window.hasRemaining()) {
            int r = ch.read(window, p);
            if (r < 0) {
                break;
            }
            p += r;
        }
        windowStart = pos;
        windowLength = window.position();
        if (windowLength < n) {
            throw new IOException(file + " changed while being read");
        }
        return 0;
    }

    /** The payload length of the valid record at {@code pos} in a file of {@code size} bytes, or -1. */
    int validRecordAt(long pos, long size) throws IOException {
        if (size - pos < Records.HEADER) {
            return -1;
        }
        int at = at(pos, Records.HEADER);
        int length = window.getInt(at);
        int crc = window.getInt(at + 4);
        byte type = window.get(at + 8);
        if (length < 0 || length > Records.MAX_PAYLOAD || pos + Records.HEADER + length > size
                || !Records.knownType(type)) {
            return -1;
        }
        at = at(pos, Records.HEADER + length);
        return Records.crc(window, at, length) == crc ? length : -1;
    }

    /** The offset of the next valid record at or after {@code from}, or -1. */
    long resync(long from, long size) throws IOException {
        for (long p = from; p <= size - Records.HEADER; p++) {
            if (validRecordAt(p, size) >= 0) {
                return p;
            }
        }
        return -1;
    }
}
