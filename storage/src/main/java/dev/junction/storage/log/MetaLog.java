package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata log as the writer thread keeps it: the puts and deletes of the metadata tables (definitions,
 * retained messages, sessions) are appended to it, and it is rewritten from a mirror of the live entries once
 * it is mostly dead. Writer thread only.
 */
final class MetaLog {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private final Path dir;
    private final LogStoreSettings settings;
    private final RecordAppender appender;
    private final FileSync sync;
    private final WriterStats stats;
    private final WriteFailure failure;

    private final MetaState mirror;
    private long metaNumber;
    private RedoFile metaOut;
    private long metaSize;
    private final ByteBuffer metaBuffer = ByteBuffer.allocateDirect(64 << 10);
    private boolean metaDirty;

    /** Off-heap entries written since the log was last durable, with where each starts: placed once it is. */
    private final List<MetaRecord> unplaced = new ArrayList<>();
    private long[] unplacedOffsets = new long[64];
    private final MetaAccess access;

    MetaLog(Path dir, LogStoreSettings settings, Recovery recovered, RecordAppender appender, FileSync sync,
            WriterStats stats, WriteFailure failure, MetaAccess access) throws IOException {
        this.access = access;
        this.dir = dir;
        this.settings = settings;
        this.appender = appender;
        this.sync = sync;
        this.stats = stats;
        this.failure = failure;
        this.mirror = recovered.meta.copy();

        // The metadata log is appended to where recovery left it; a missing one is started.
        metaNumber = Math.max(1, recovered.metaNumber);
        Path metaPath = dir.resolve(Recovery.metaFileName(metaNumber));
        FileChannel ch = FileChannel.open(metaPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        metaSize = recovered.metaNumber == 0 ? 0 : recovered.metaSize;
        if (metaSize == 0) {
            ByteBuffer h = ByteBuffer.allocate(Records.FILE_HEADER).putInt(Records.MAGIC).putInt(Records.VERSION);
            RecordAppender.writeFully(ch, h.flip(), 0);
            metaSize = Records.FILE_HEADER;
            ch.force(true);
            sync.syncDirectory();
        }
        stats.bytesOnDisk += metaSize;
        metaOut = new RedoFile(ch, metaSize, sync, failure);
    }

    /** Buffers the record of a metadata command and applies it to the mirror the log is rewritten from. */
    void append(Cmd.Meta c) throws IOException {
        if (metaBuffer.remaining() < c.recordBytes()) {
            RecordAppender.flush(metaBuffer, metaOut);
        }
        long recordOffset = metaSize;
        appender.append(metaBuffer, metaOut, c.type(), c.payload());
        metaSize += c.recordBytes();
        stats.bytesOnDisk += c.recordBytes();
        metaDirty = true;
        mirror.apply(c.table(), c.key(), c.entry());
        if (c.entry() != null && c.table().offHeap) {
            if (unplaced.size() == unplacedOffsets.length) {
                unplacedOffsets = java.util.Arrays.copyOf(unplacedOffsets, unplacedOffsets.length * 2);
            }
            unplacedOffsets[unplaced.size()] = recordOffset;
            unplaced.add(c.entry());
        }
    }

    void flushIfDirty() throws IOException {
        if (metaDirty) {
            RecordAppender.flush(metaBuffer, metaOut);
        }
    }

    void forceIfDirty() throws IOException {
        if (metaDirty) {
            metaOut.force();
        }
    }

    /** During a write incident: writes what the metadata log is owed again; true once it is durable. */
    boolean repair() {
        return metaOut.repair();
    }

    /** Everything written is durable: the off-heap entries written since can give up their payloads. */
    void markClean() {
        metaDirty = false;
        if (!unplaced.isEmpty()) {
            long number = metaNumber;
            access.locked(() -> {
                for (int i = 0; i < unplaced.size(); i++) {
                    unplaced.get(i).placed(number, unplacedOffsets[i]);
                }
            });
            unplaced.clear();
        }
    }

    void maybeCompact() {
        if (metaSize <= settings.metaCompactBytes() || metaSize <= 2 * mirror.liveBytes() + Records.FILE_HEADER) {
            return;
        }
        long number = metaNumber + 1;
        Path tmp = dir.resolve(Recovery.metaFileName(number).replace(".log", ".tmp"));
        Path target = dir.resolve(Recovery.metaFileName(number));
        List<MetaRecord> moved = new ArrayList<>();
        long[][] movedTo = {new long[64]};
        try {
            long size;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 MetaReader old = new MetaReader(dir)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
                buf.putInt(Records.MAGIC).putInt(Records.VERSION);
                long pos = Records.FILE_HEADER;
                // One put per live entry, each table in first-put order. Entries whose bytes left the heap are
                // read back from the log being replaced, and placed in the new one once it is in place.
                for (MetaFormat<?> table : MetaFormat.ALL) {
                    for (MetaRecord r : mirror.table(table).values()) {
                        byte[] payload = r.payload != null ? r.payload
                                : old.read(r.metaNumber, r.offset, r.length, table.putType);
                        appender.append(buf, out, table.putType, payload);
                        if (table.offHeap) {
                            if (moved.size() == movedTo[0].length) {
                                movedTo[0] = java.util.Arrays.copyOf(movedTo[0], moved.size() * 2);
                            }
                            movedTo[0][moved.size()] = pos;
                            moved.add(r);
                        }
                        pos += Records.HEADER + payload.length;
                    }
                }
                RecordAppender.flush(buf, out);
                size = out.size();
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            sync.syncDirectory();
            Path old = dir.resolve(Recovery.metaFileName(metaNumber));
            metaOut.close();
            Files.deleteIfExists(old);
            metaOut = new RedoFile(FileChannel.open(target, StandardOpenOption.WRITE), size, sync, failure);
            // Readers find the off-heap entries in the new log from now on.
            access.locked(() -> {
                for (int i = 0; i < moved.size(); i++) {
                    moved.get(i).placed(number, movedTo[0][i]);
                }
            });
            stats.bytesOnDisk += size - metaSize;
            LOG.debug("metadata log compacted from {} to {} bytes", metaSize, size);
            metaSize = size;
            metaNumber = number;
        } catch (IOException e) {
            LOG.warn("could not compact the metadata log: {}", e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left for the next open to remove
            }
            if (!metaOut.channel().isOpen()) {
                failure.fail(new IllegalStateException("the metadata log has no open file", e)); // not redoable
            }
        }
    }

    // ---- close ---------------------------------------------------------------------------------------------

    void flush() throws IOException {
        RecordAppender.flush(metaBuffer, metaOut);
    }

    void forceOnClose() throws IOException {
        metaOut.forceOnClose();
    }

    void closeFile() {
        metaOut.close();
    }
}
