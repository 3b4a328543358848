package dev.junction.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;

/**
 * A file the writer appends to, which keeps a copy of every byte written since its last durable point, so that a
 * failed write or fsync can be redone: {@link #repair()} cuts the file back to that point and writes the copies
 * again. Offsets therefore never change, and the index, the queue names bound in a segment and the live counts
 * stay right however a failure fell.
 *
 * <p>While the store has an incident ({@link WriteFailure}), writes only add to the copies: nothing is confirmed
 * then anyway, and the file is made whole in one piece by the next repair. The copies are one group's bytes in
 * normal operation; during an incident they grow with what is written, up to {@value #MAX_REDO_BYTES} bytes, past
 * which the failure is fatal (publishers are blocked by then, so only acks and metadata still arrive). Writer
 * thread only.
 */
final class RedoFile {

    static final long MAX_REDO_BYTES = 256L << 20;

    private final FileChannel ch;
    private final FileSync sync;
    private final WriteFailure failure;
    /** Every byte handed to this file. */
    private long written;
    /** Bytes known to be on disk (forced, or written under {@code never}). */
    private long durable;
    private final ArrayDeque<byte[]> redo = new ArrayDeque<>();
    private long redoBytes;

    RedoFile(FileChannel ch, long size, FileSync sync, WriteFailure failure) {
        this.ch = ch;
        this.written = size;
        this.durable = size;
        this.sync = sync;
        this.failure = failure;
    }

    FileChannel channel() {
        return ch;
    }

    long size() {
        return written;
    }

    /** Appends the buffer's remaining bytes. An I/O error starts an incident instead of being thrown. */
    void write(ByteBuffer src) {
        int n = src.remaining();
        if (n == 0) {
            return;
        }
        byte[] copy = new byte[n];
        src.duplicate().get(copy);
        boolean onDisk = false;
        if (!failure.failed()) {
            try {
                RecordAppender.writeFully(ch, src, written);
                onDisk = true;
            } catch (IOException e) {
                failure.ioFailed(e);
            }
        }
        src.position(src.limit());
        written += n;
        if (onDisk && !sync.forceWrites && redo.isEmpty()) {
            durable = written; // under never, handed to the OS is as durable as it gets
            return;
        }
        redo.addLast(copy);
        redoBytes += n;
        if (redoBytes > MAX_REDO_BYTES) {
            failure.fail(new IllegalStateException("the store could not write " + redoBytes
                    + " bytes and holds no more of them; restart once the disk is usable"));
        }
    }

    /** Forces what was written; an I/O error starts an incident. Does nothing during one. */
    void force() {
        if (failure.failed() || durable == written) {
            return;
        }
        try {
            if (sync.forceWrites) {
                sync.force(ch);
            }
            durable();
        } catch (IOException e) {
            failure.ioFailed(e);
        }
    }

    /**
     * During an incident: cuts the file back to its last durable point and writes everything since again, then
     * forces it. Returns whether the file is whole and durable now.
     */
    boolean repair() {
        if (durable == written) {
            return true;
        }
        try {
            ch.truncate(durable);
            long p = durable;
            for (byte[] b : redo) {
                RecordAppender.writeFully(ch, ByteBuffer.wrap(b), p);
                p += b.length;
            }
            if (sync.forceWrites) {
                sync.force(ch);
            }
            durable();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void durable() {
        durable = written;
        redo.clear();
        redoBytes = 0;
    }

    void forceOnClose() throws IOException {
        ch.force(false);
    }

    void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
