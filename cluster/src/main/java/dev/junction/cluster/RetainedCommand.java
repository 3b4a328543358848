package dev.junction.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One retained-message entry of the metadata log: the retained message of {@code topic} in {@code vhost} replaced by
 * {@code data} (the engine's encoding of the message) or cleared. Its payload starts with {@link #TAG}, a first byte
 * that neither {@link MetadataCommand} nor {@link ClientIdCommand} uses; then the operation's name, vhost, topic and
 * the data with its length.
 */
record RetainedCommand(Op op, String vhost, String topic, byte[] data) {

    enum Op { PUT, DELETE }

    static final int TAG = 0x52;

    static boolean is(byte[] payload) {
        return payload.length > 0 && (payload[0] & 0xFF) == TAG;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + topic.length() + data.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(TAG);
            out.writeUTF(op.name());
            out.writeUTF(vhost);
            out.writeUTF(topic);
            out.writeInt(data.length);
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static RetainedCommand decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int tag = in.readUnsignedByte();
            if (tag != TAG) {
                throw new IllegalArgumentException("not a retained-message entry (first byte " + tag + ")");
            }
            Op op = Op.valueOf(in.readUTF());
            String vhost = in.readUTF();
            String topic = in.readUTF();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            return new RetainedCommand(op, vhost, topic, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
