package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * Reads the bodies of picked messages from the cache or the segment files. It runs on the caller's thread
 * without the store's lock and takes it again only to look at a message whose segment was deleted under it.
 */
final class BodyReader {

    // Logs as the store: these are its read errors, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogMessageStore.class);

    private final MessageLocations index;

    BodyReader(MessageLocations index) {
        this.index = index;
    }

    /**
     * The body of a picked message, from the cache or the disk; null if it was removed (and its segment deleted)
     * meanwhile. A segment deleted under the reader may also mean that compaction moved the message: then the
     * read is retried at the new location.
     */
    byte[] body(Pick p) {
        for (int attempt = 0; ; attempt++) {
            if (p.payload() != null) {
                return data(ByteBuffer.wrap(p.payload()));
            }
            Segment s = p.segment();
            long id = p.id();
            if (s == null) {
                return null; // no longer stored
            }
            try {
                ByteBuffer record = ByteBuffer.allocate(Records.HEADER + p.length());
                FileChannel ch = s.reader();
                while (record.hasRemaining()) {
                    if (ch.read(record, p.offset() + record.position()) < 0) {
                        throw new IOException("unexpected end of " + s + " at offset " + p.offset());
                    }
                }
                record.flip();
                int length = record.getInt(0);
                int crc = record.getInt(4);
                if (length != p.length() || record.get(8) != Records.MESSAGE
                        || Records.crc(record, 0, length) != crc || record.getLong(Records.HEADER) != id) {
                    LOG.error("{}: message {} at offset {} fails its checksum; it is left out of the read", s,
                            id, p.offset());
                    return null;
                }
                return data(record.position(Records.HEADER).slice());
            } catch (ClosedChannelException e) {
                if (attempt >= 3) {
                    return null;
                }
                if (s.deleted()) {
                    Pick now = index.locate(id);
                    if (now.payload() == null && (now.segment() == s || now.segment() == null)) {
                        return null; // removed, and its segment deleted while we were reading
                    }
                    p = now; // moved by compaction before its old segment was deleted
                }
                // otherwise an interrupted reader closed the channel; it is reopened on the next attempt
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read message " + id + " from " + s, e);
            }
        }
    }

    /** The body in a MESSAGE payload, as a fresh array. */
    private static byte[] data(ByteBuffer payload) {
        int n = payload.getInt(8);
        int at = 12 + 4 * n;
        int length = payload.getInt(at);
        byte[] data = new byte[length];
        payload.get(at + 4, data);
        return data;
    }
}
