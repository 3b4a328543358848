package dev.junction.cluster;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One entry of the metadata log: a definition put (with its bytes) or deleted (by key), and for a change a client
 * waits for, who waits: {@code origin} names the submitting node's run (empty for none) and {@code request} the
 * request there, so that node answers its client with its own result of applying the entry. The encoding is the
 * entry's whole payload: a version byte, the operation, the kind's name (not its ordinal, so a kind added later
 * does not renumber the log), vhost, name, the data, then (from version 2) origin and request.
 */
record MetadataCommand(Op op, Definition definition, String origin, long request) {

    enum Op { PUT, DELETE }

    private static final int VERSION = 2;
    /** Entries written before changes carried their origin. */
    private static final int VERSION_WITHOUT_ORIGIN = 1;

    static MetadataCommand put(Definition d) {
        return new MetadataCommand(Op.PUT, d, "", 0);
    }

    static MetadataCommand delete(DefinitionKind kind, String vhost, String name) {
        return new MetadataCommand(Op.DELETE, new Definition(kind, vhost, name, new byte[0]), "", 0);
    }

    /** The same change, waited for by {@code request} of {@code origin}. */
    MetadataCommand from(String origin, long request) {
        return new MetadataCommand(op, definition, origin, request);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(op.name());
            out.writeUTF(definition.kind().name());
            out.writeUTF(definition.vhost());
            out.writeUTF(definition.name());
            byte[] data = definition.data();
            out.writeInt(data.length);
            out.write(data);
            out.writeUTF(origin);
            out.writeLong(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static MetadataCommand decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION && version != VERSION_WITHOUT_ORIGIN) {
                throw new IllegalArgumentException("metadata log entry of unknown version " + version);
            }
            Op op = Op.valueOf(in.readUTF());
            DefinitionKind kind = DefinitionKind.valueOf(in.readUTF());
            String vhost = in.readUTF();
            String name = in.readUTF();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            Definition d = new Definition(kind, vhost, name, data);
            return version == VERSION_WITHOUT_ORIGIN ? new MetadataCommand(op, d, "", 0)
                    : new MetadataCommand(op, d, in.readUTF(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
