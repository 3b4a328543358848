package dev.junction.storage.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads a record back from the metadata log by its place, for callers (a retained message delivered on
 * subscribe). Keeps one channel, on the newest log file asked for: a file deleted by a compaction stays readable
 * through a channel already open, and its records are the same as their copies in the new file.
 */
final class MetaReader implements AutoCloseable {

    private final Path dir;
    private long number = -1;
    private FileChannel channel;

    MetaReader(Path dir) {
        this.dir = dir;
    }

    /** The payload of the {@code type} record at {@code offset} in log {@code metaNumber}, checked. */
    synchronized byte[] read(long metaNumber, long offset, int length, byte type) throws IOException {
        if (channel == null || number != metaNumber || !channel.isOpen()) {
            close();
            channel = FileChannel.open(dir.resolve(Recovery.metaFileName(metaNumber)), StandardOpenOption.READ);
            number = metaNumber;
        }
        ByteBuffer buf = ByteBuffer.allocate(Records.HEADER + length);
        long p = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new EOFException("metadata log " + metaNumber + " ends before offset " + p);
            }
            p += n;
        }
        buf.flip();
        int len = buf.getInt();
        int crc = buf.getInt();
        byte t = buf.get();
        byte[] payload = new byte[length];
        buf.get(payload);
        CRC32C c = new CRC32C();
        c.update(t);
        c.update(payload, 0, payload.length);
        if (len != length || t != type || (int) c.getValue() != crc) {
            throw new IOException("no valid record of type " + type + " at offset " + offset + " of metadata log "
                    + metaNumber);
        }
        return payload;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // reading only
            }
            channel = null;
        }
    }
}
