package dev.junction.storage.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One message segment file. Its size and live-message count belong to the writer thread (and to recovery before
 * the writer starts); readers only use {@link #reader()} to read records at known offsets.
 */
final class Segment {

    final long number;
    final Path path;
    /** Bytes in the file, including what the writer has buffered but not yet handed to the OS. */
    long size;
    /** Messages whose body record lives here and that at least one queue still references. */
    long live;

    private volatile boolean deleted;
    private FileChannel reader;

    Segment(long number, Path path) {
        this.number = number;
        this.path = path;
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
