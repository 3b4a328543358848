package dev.junction.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Adds the header and CRC to records and writes them through a buffer. The writer thread keeps one, shared by
 * the segments and the metadata log, so the checksum and the header buffer are allocated once.
 */
final class RecordAppender {

    private final ByteBuffer header = ByteBuffer.allocateDirect(Records.HEADER);
    private final CRC32C crc = new CRC32C();

    /** CRC32C of the type byte and the payload. */
    int checksum(byte type, byte[] payload) {
        crc.reset();
        crc.update(type);
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    void append(ByteBuffer buffer, FileChannel out, byte type, byte[] payload) throws IOException {
        int checksum = checksum(type, payload);
        if (buffer.remaining() < Records.HEADER + payload.length) {
            flush(buffer, out);
        }
        if (buffer.remaining() >= Records.HEADER + payload.length) {
            buffer.putInt(payload.length).putInt(checksum).put(type).put(payload);
            return;
        }
        header.clear();
        header.putInt(payload.length).putInt(checksum).put(type).flip();
        ByteBuffer[] parts = {header, ByteBuffer.wrap(payload)};
        long left = Records.HEADER + (long) payload.length;
        while (left > 0) {
            left -= out.write(parts);
        }
    }

    /** The same for a writer's file: an I/O error there starts an incident instead of being thrown. */
    void append(ByteBuffer buffer, RedoFile out, byte type, byte[] payload) {
        int checksum = checksum(type, payload);
        if (buffer.remaining() < Records.HEADER + payload.length) {
            flush(buffer, out);
        }
        if (buffer.remaining() >= Records.HEADER + payload.length) {
            buffer.putInt(payload.length).putInt(checksum).put(type).put(payload);
            return;
        }
        header.clear();
        header.putInt(payload.length).putInt(checksum).put(type).flip();
        out.write(header);
        out.write(ByteBuffer.wrap(payload));
    }

    static void flush(ByteBuffer buffer, RedoFile out) {
        buffer.flip();
        out.write(buffer);
        buffer.clear();
    }

    static void flush(ByteBuffer buffer, FileChannel out) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }
}
