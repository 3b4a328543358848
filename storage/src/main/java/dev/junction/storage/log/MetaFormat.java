package dev.junction.storage.log;

import dev.junction.storage.DefinitionKind;
import dev.junction.storage.table.DefinitionKey;
import dev.junction.storage.table.VhostKey;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * How one keyed table is written to the metadata log: its put and delete record types, how its key is encoded
 * ahead of the data, and whether its entries leave the heap once durable. A put payload is the key followed by
 * the data (int length, bytes); a delete payload is the key alone (docs/storage.md, "Files").
 */
final class MetaFormat<K> {

    /** Writes and reads one table's key. */
    private interface KeyCodec<K> {
        void write(Records.Payload p, K key);

        /** Throws IllegalArgumentException or BufferUnderflowException on a malformed key. */
        K read(ByteBuffer buf);
    }

    private static final DefinitionKind[] KINDS = DefinitionKind.values();

    private static final KeyCodec<DefinitionKey> DEFINITION_KEY = new KeyCodec<>() {
        @Override
        public void write(Records.Payload p, DefinitionKey key) {
            p.putByte(key.kind().ordinal()).putString(key.vhost()).putString(key.name());
        }

        @Override
        public DefinitionKey read(ByteBuffer buf) {
            int kind = buf.get();
            if (kind < 0 || kind >= KINDS.length) {
                throw new IllegalArgumentException("unknown definition kind " + kind);
            }
            return new DefinitionKey(KINDS[kind], Records.string(buf), Records.string(buf));
        }
    };

    private static final KeyCodec<VhostKey> VHOST_KEY = new KeyCodec<>() {
        @Override
        public void write(Records.Payload p, VhostKey key) {
            p.putString(key.vhost()).putString(key.name());
        }

        @Override
        public VhostKey read(ByteBuffer buf) {
            return new VhostKey(Records.string(buf), Records.string(buf));
        }
    };

    static final MetaFormat<DefinitionKey> DEFINITIONS = new MetaFormat<>(0, "definition",
            Records.DEFINITION_PUT, Records.DEFINITION_DELETE, false, DEFINITION_KEY);
    /** Retained messages may be many and large: their bytes leave the heap once durable. */
    static final MetaFormat<VhostKey> RETAINED = new MetaFormat<>(1, "retained message",
            Records.RETAINED_PUT, Records.RETAINED_DELETE, true, VHOST_KEY);
    static final MetaFormat<VhostKey> SESSIONS = new MetaFormat<>(2, "session",
            Records.SESSION_PUT, Records.SESSION_DELETE, false, VHOST_KEY);
    static final List<MetaFormat<?>> ALL = List.of(DEFINITIONS, RETAINED, SESSIONS);

    /** Position in {@link #ALL}. */
    final int index;
    /** What an entry is, for log lines. */
    final String what;
    final byte putType;
    final byte deleteType;
    final boolean offHeap;
    private final KeyCodec<K> codec;

    private MetaFormat(int index, String what, byte putType, byte deleteType, boolean offHeap, KeyCodec<K> codec) {
        this.index = index;
        this.what = what;
        this.putType = putType;
        this.deleteType = deleteType;
        this.offHeap = offHeap;
        this.codec = codec;
    }

    /** The table a metadata record belongs to; throws IllegalArgumentException for any other type. */
    static MetaFormat<?> of(byte type) {
        for (MetaFormat<?> f : ALL) {
            if (type == f.putType || type == f.deleteType) {
                return f;
            }
        }
        throw new IllegalArgumentException("not a metadata record: " + type);
    }

    byte[] putPayload(K key, byte[] data) {
        Records.Payload p = new Records.Payload(32 + data.length);
        codec.write(p, key);
        return p.putBytes(data).toArray();
    }

    byte[] deletePayload(K key) {
        Records.Payload p = new Records.Payload(32);
        codec.write(p, key);
        return p.toArray();
    }

    /** Decodes the key a put or delete record of this table is about; throws on a malformed payload. */
    K key(byte type, byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        K key = codec.read(buf);
        if (type == putType) {
            int n = buf.getInt();
            if (n != buf.remaining()) {
                throw new IllegalArgumentException("data length " + n + " but " + buf.remaining() + " bytes left");
            }
        } else if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " stray bytes after a delete");
        }
        return key;
    }

    /** The entry a well-formed put payload holds, its data length read from the payload. */
    MetaRecord entry(byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        codec.read(buf);
        return new MetaRecord(payload, buf.getInt());
    }

    /** The data of a put payload, as a fresh array. */
    byte[] data(byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        codec.read(buf);
        return Records.bytes(buf);
    }

    @Override
    public String toString() {
        return what + " table";
    }
}
