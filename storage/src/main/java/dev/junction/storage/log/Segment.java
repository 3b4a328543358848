package dev.junction.storage.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One message segment file. Its size, live counts and compaction state belong to the writer thread (and to
 * recovery before the writer starts); readers only use {@link #reader()} to read records at known offsets.
 */
final class Segment {

    final long number;
    final Path path;
    /** Bytes in the file, including what the writer has buffered but not yet handed to the OS. */
    long size;
    /** Messages whose body record lives here and that at least one queue still references. */
    long live;
    /** Bytes of the MESSAGE records counted in {@link #live}, headers included. */
    long liveBytes;
    /** Compaction has copied every message it found live here; the segment waits for its last removals. */
    boolean compacted;
    /**
     * Once {@link #compacted}: how many commands the store had queued when compaction last checked which
     * messages here were live. Once the writer has processed that many, nothing here can be live any more.
     */
    long compactedAtSeq;

    private volatile boolean deleted;
    private FileChannel reader;

    Segment(long number, Path path) {
        this.number = number;
        this.path = path;
    }

    /** Counts one live MESSAGE record with a payload of {@code payloadLength} bytes. */
    void addLive(int payloadLength) {
        live++;
        liveBytes += Records.HEADER + payloadLength;
    }

    /** Uncounts one live MESSAGE record with a payload of {@code payloadLength} bytes. */
    void dropLive(int payloadLength) {
        live--;
        liveBytes -= Records.HEADER + payloadLength;
    }

    static String fileName(long number) {
        return String.format("%020d.seg", number);
    }

    /** A channel for positional reads; reopened if a reader's interrupt closed it. */
    synchronized FileChannel reader() throws IOException {
        if (deleted) {
            throw new ClosedChannelException();
        }
        if (reader == null || !reader.isOpen()) {
            reader = FileChannel.open(path, StandardOpenOption.READ);
        }
        return reader;
    }

    boolean deleted() {
        return deleted;
    }

    synchronized void markDeleted() {
        deleted = true;
        closeReader();
    }

    synchronized void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // a read-only channel has nothing to lose
            }
            reader = null;
        }
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
