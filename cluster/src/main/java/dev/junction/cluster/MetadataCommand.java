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
 * One entry of the metadata log: a definition put (with its bytes) or deleted (by key). The encoding is the
 * entry's whole payload: a version byte, the operation, the kind's name (not its ordinal, so a kind added later
 * does not renumber the log), vhost, name and the data.
 */
record MetadataCommand(Op op, Definition definition) {

    enum Op { PUT, DELETE }

    private static final int VERSION = 1;

    static MetadataCommand put(Definition d) {
        return new MetadataCommand(Op.PUT, d);
    }

    static MetadataCommand delete(DefinitionKind kind, String vhost, String name) {
        return new MetadataCommand(Op.DELETE, new Definition(kind, vhost, name, new byte[0]));
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static MetadataCommand decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("metadata log entry of unknown version " + version);
            }
            Op op = Op.valueOf(in.readUTF());
            DefinitionKind kind = DefinitionKind.valueOf(in.readUTF());
            String vhost = in.readUTF();
            String name = in.readUTF();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            return new MetadataCommand(op, new Definition(kind, vhost, name, data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
