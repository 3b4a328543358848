package dev.junction.storage.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk record format shared by message segments and the metadata log.
 *
 * <p>A file starts with an 8-byte header: the magic number and the format version, one int each. Records
 * follow back to back: {@code int length} (of the payload), {@code int crc} (CRC32C of the type byte and the
 * payload), {@code byte type}, then {@code length} payload bytes. All numbers are big-endian; a string is an
 * {@code int} byte count followed by UTF-8.
 */
final class Records {

    static final int MAGIC = 0x4A4E4354; // "JNCT"
    static final int VERSION = 1;
    static final int FILE_HEADER = 8;
    static final int HEADER = 9;
    /** Upper bound of a payload; anything larger is taken for a corrupt length field. */
    static final int MAX_PAYLOAD = (1 << 30) - HEADER;

    // ---- message segments
    /** First record of every segment: segment number (long), highest message id when it was started (long). */
    static final byte SEGMENT_START = 1;
    /** Names a queue id for the rest of the segment: id (int), vhost, name. */
    static final byte QUEUE_NAME = 2;
    /** id (long), queue count (int), queue ids (int each), body length (int), body. */
    static final byte MESSAGE = 3;
    /** A queue dropped its reference: queue id (int), message id (long). */
    static final byte REMOVE = 4;
    /** A queue dropped every reference it held at this point of the log: queue id (int). */
    static final byte REMOVE_QUEUE = 5;
    /** A message id was used without storing anything (raises the highest id): id (long). */
    static final byte ID_MARK = 6;

    // ---- metadata log
    /** kind ordinal (byte), vhost, name, data length (int), data. */
    static final byte DEFINITION_PUT = 16;
    /** kind ordinal (byte), vhost, name. */
    static final byte DEFINITION_DELETE = 17;
    /** vhost, topic, data length (int), data. */
    static final byte RETAINED_PUT = 18;
    /** vhost, topic. */
    static final byte RETAINED_DELETE = 19;
    /** vhost, client id, data length (int), data. */
    static final byte SESSION_PUT = 20;
    /** vhost, client id. */
    static final byte SESSION_DELETE = 21;

    /** Covers bytes that were found corrupt and neutralized in an older segment; skipped on recovery. */
    static final byte PAD = 127;

    private Records() {
    }

    static boolean knownType(byte type) {
        return (type >= SEGMENT_START && type <= ID_MARK)
                || (type >= DEFINITION_PUT && type <= SESSION_DELETE)
                || type == PAD;
    }

    /** CRC of the type byte and the payload that follow a header at {@code recordStart} in {@code buf}. */
    static int crc(ByteBuffer buf, int recordStart, int payloadLength) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(recordStart + HEADER + payloadLength).position(recordStart + HEADER - 1);
        crc.update(view);
        return (int) crc.getValue();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("bad string length " + n);
        }
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), n, StandardCharsets.UTF_8);
        buf.position(buf.position() + n);
        return s;
    }

    static byte[] bytes(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("bad data length " + n);
        }
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    /** A small growable writer for payloads built on the caller's thread. */
    static final class Payload {
        private byte[] buf;
        private int size;

        Payload(int expected) {
            buf = new byte[Math.max(16, expected)];
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                byte[] bigger = new byte[Math.max(buf.length * 2, size + more)];
                System.arraycopy(buf, 0, bigger, 0, size);
                buf = bigger;
            }
        }

        Payload putByte(int v) {
            ensure(1);
            buf[size++] = (byte) v;
            return this;
        }

        Payload putInt(int v) {
            ensure(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
            return this;
        }

        Payload putLong(long v) {
            putInt((int) (v >>> 32));
            return putInt((int) v);
        }

        Payload putBytes(byte[] b) {
            putInt(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        Payload putString(String s) {
            return putBytes(utf8(s));
        }

        byte[] toArray() {
            if (size == buf.length) {
                return buf;
            }
            byte[] exact = new byte[size];
            System.arraycopy(buf, 0, exact, 0, size);
            return exact;
        }
    }
}
