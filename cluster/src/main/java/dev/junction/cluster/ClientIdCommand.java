package dev.junction.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One client-id entry of the metadata log: a connection of node run {@code origin}, authenticated as {@code user},
 * claims {@code clientId} of {@code vhost} with the claim number {@code claim}; or releases that claim when it
 * closes and its session stays; or ends the session (with the claim of the connection that ended it, or 0 for a
 * session that ended without one). The encoding is the entry's whole payload and starts with {@link #TAG}, a first
 * byte no {@link MetadataCommand} version uses, so one log carries both; then the operation's ordinal-free name,
 * vhost, client id, origin, claim and, when there is one, the user. An entry written before claims carried a user
 * ends after the claim and decodes with a null user. Kept small (a few dozen bytes): every connection of a cluster
 * writes one.
 *
 * <p>A snapshot's entry (never a log entry) may end with one more byte after the user: whether the id's session
 * has moved between nodes ({@code moved}, null when absent: a log entry, or a snapshot written before it was
 * kept). A decoder of the version before reads the user and stops, ignoring that byte.
 */
record ClientIdCommand(Op op, String vhost, String clientId, String origin, long claim, String user, Boolean moved) {

    enum Op { CLAIM, RELEASE, END }

    ClientIdCommand(Op op, String vhost, String clientId, String origin, long claim) {
        this(op, vhost, clientId, origin, claim, null, null);
    }

    ClientIdCommand(Op op, String vhost, String clientId, String origin, long claim, String user) {
        this(op, vhost, clientId, origin, claim, user, null);
    }

    /** The first byte of a client-id entry; {@link MetadataCommand}'s versions are 1 and 2. */
    static final int TAG = 0x43;

    /** Whether {@code payload} is a client-id entry rather than a definition's. */
    static boolean is(byte[] payload) {
        return payload.length > 0 && (payload[0] & 0xFF) == TAG;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + clientId.length() + origin.length()
                + (user == null ? 0 : 2 + user.length()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(TAG);
            out.writeUTF(op.name());
            out.writeUTF(vhost);
            out.writeUTF(clientId);
            out.writeUTF(origin);
            out.writeLong(claim);
            if (user != null) {
                out.writeUTF(user);
                if (moved != null) {
                    out.writeBoolean(moved); // after the user, which an entry without one lacks: see the class doc
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ClientIdCommand decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int tag = in.readUnsignedByte();
            if (tag != TAG) {
                throw new IllegalArgumentException("not a client-id entry (first byte " + tag + ")");
            }
            Op op = Op.valueOf(in.readUTF());
            String vhost = in.readUTF();
            String clientId = in.readUTF();
            String origin = in.readUTF();
            long claim = in.readLong();
            String user = in.available() > 0 ? in.readUTF() : null;
            Boolean moved = in.available() > 0 ? in.readBoolean() : null;
            return new ClientIdCommand(op, vhost, clientId, origin, claim, user, moved);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
