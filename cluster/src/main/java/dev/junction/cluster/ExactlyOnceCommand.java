package dev.junction.cluster;

import dev.junction.routing.api.ExactlyOnceIds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One exactly-once entry of the metadata log: the exchanges in progress of session {@code session} of {@code vhost}
 * are now {@code pending} (none: the session has none left), as the connection of claim {@code claim} of node run
 * {@code origin} put them. The whole state rather than one id added or removed: an entry is one small record
 * (a QoS 2 session rarely has more than its in-flight window of ids), and whichever entry is applied last is the
 * state, with nothing to add up. Its payload starts with {@link #TAG}, a first byte that no other entry of the
 * metadata log uses, then a format byte ({@link #FORMAT}), vhost, session, origin, claim, and the two lists of ids,
 * each a count and as many unsigned 16-bit ids.
 */
record ExactlyOnceCommand(String vhost, String session, String origin, long claim, ExactlyOnceIds.Pending pending) {

    /** The first byte of an exactly-once entry ('Q'); definitions use 1 and 2, client ids 'C', retained 'R'. */
    static final int TAG = 'Q';
    /** The layout after the tag; a reader refuses one it does not know rather than misread it. */
    private static final int FORMAT = 1;

    static boolean is(byte[] payload) {
        return payload.length > 0 && (payload[0] & 0xFF) == TAG;
    }

    byte[] encode() {
        int ids = pending.received().size() + pending.released().size();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + vhost.length() + session.length()
                + origin.length() + 2 * ids);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(TAG);
            out.writeByte(FORMAT);
            out.writeUTF(vhost);
            out.writeUTF(session);
            out.writeUTF(origin);
            out.writeLong(claim);
            writeIds(out, pending.received());
            writeIds(out, pending.released());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ExactlyOnceCommand decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int tag = in.readUnsignedByte();
            if (tag != TAG) {
                throw new IllegalArgumentException("not an exactly-once entry (first byte " + tag + ")");
            }
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("exactly-once entry of unknown format " + format);
            }
            String vhost = in.readUTF();
            String session = in.readUTF();
            String origin = in.readUTF();
            long claim = in.readLong();
            List<Integer> received = readIds(in);
            List<Integer> released = readIds(in);
            return new ExactlyOnceCommand(vhost, session, origin, claim,
                    new ExactlyOnceIds.Pending(received, released));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeIds(DataOutputStream out, List<Integer> ids) throws IOException {
        out.writeInt(ids.size());
        for (int id : ids) {
            out.writeShort(id);
        }
    }

    private static List<Integer> readIds(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / 2) {
            throw new IllegalArgumentException("bad id count " + n + " in an exactly-once entry");
        }
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(in.readUnsignedShort());
        }
        return ids;
    }
}
