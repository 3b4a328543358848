package dev.junction.storage.log;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.SessionStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Definitions, retained messages and sessions, each held as the payload of the record that put it. The store
 * keeps one instance for callers (under its lock) and the writer keeps a mirror of what the metadata log holds
 * (used to rewrite it when compacting); both share the immutable payload arrays.
 */
final class MetaState {

    record DefKey(DefinitionKind kind, String vhost, String name) {
    }

    record RetainedKey(String vhost, String topic) {
    }

    record SessionKey(String vhost, String clientId) {
    }

    private static final DefinitionKind[] KINDS = DefinitionKind.values();

    private final EnumMap<DefinitionKind, LinkedHashMap<DefKey, byte[]>> definitions =
            new EnumMap<>(DefinitionKind.class);
    private final Map<RetainedKey, RetainedRecord> retained = new HashMap<>();
    private final Map<SessionKey, byte[]> sessions = new HashMap<>();
    /** Bytes the live entries take as records. */
    private long liveBytes;

    // ---- payloads ------------------------------------------------------------------------------------------

    static byte[] definitionPut(Definition d) {
        return new Records.Payload(32 + d.data().length).putByte(d.kind().ordinal())
                .putString(d.vhost()).putString(d.name()).putBytes(d.data()).toArray();
    }

    static byte[] definitionDelete(DefKey k) {
        return new Records.Payload(32).putByte(k.kind().ordinal())
                .putString(k.vhost()).putString(k.name()).toArray();
    }

    static byte[] pairPut(String vhost, String name, byte[] data) {
        return new Records.Payload(32 + data.length).putString(vhost).putString(name).putBytes(data).toArray();
    }

    static byte[] pairDelete(String vhost, String name) {
        return new Records.Payload(32).putString(vhost).putString(name).toArray();
    }

    /** Decodes the key a metadata record is about; throws IllegalArgumentException on a malformed payload. */
    static Object key(byte type, byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        switch (type) {
            case Records.DEFINITION_PUT, Records.DEFINITION_DELETE -> {
                int kind = buf.get();
                if (kind < 0 || kind >= KINDS.length) {
                    throw new IllegalArgumentException("unknown definition kind " + kind);
                }
                DefKey key = new DefKey(KINDS[kind], Records.string(buf), Records.string(buf));
                checkRest(type == Records.DEFINITION_PUT, buf);
                return key;
            }
            case Records.RETAINED_PUT, Records.RETAINED_DELETE -> {
                RetainedKey key = new RetainedKey(Records.string(buf), Records.string(buf));
                checkRest(type == Records.RETAINED_PUT, buf);
                return key;
            }
            case Records.SESSION_PUT, Records.SESSION_DELETE -> {
                SessionKey key = new SessionKey(Records.string(buf), Records.string(buf));
                checkRest(type == Records.SESSION_PUT, buf);
                return key;
            }
            default -> throw new IllegalArgumentException("not a metadata record: " + type);
        }
    }

    private static void checkRest(boolean put, ByteBuffer buf) {
        if (put) {
            int n = buf.getInt();
            if (n != buf.remaining()) {
                throw new IllegalArgumentException("data length " + n + " but " + buf.remaining() + " bytes left");
            }
        } else if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " stray bytes after a delete");
        }
    }

    // ---- changes -------------------------------------------------------------------------------------------

    /**
     * Applies a metadata record; returns false when it changes nothing (deleting an absent key), in which
     * case nothing needs to be written.
     */
    boolean apply(byte type, Object key, byte[] payload) {
        switch (type) {
            case Records.DEFINITION_PUT -> {
                DefKey k = (DefKey) key;
                account(definitions.computeIfAbsent(k.kind(), x -> new LinkedHashMap<>()).put(k, payload), payload);
                return true;
            }
            case Records.DEFINITION_DELETE -> {
                DefKey k = (DefKey) key;
                LinkedHashMap<DefKey, byte[]> ofKind = definitions.get(k.kind());
                return account(ofKind == null ? null : ofKind.remove(k), null);
            }
            case Records.RETAINED_PUT -> {
                putRetained((RetainedKey) key, new RetainedRecord(payload));
                return true;
            }
            case Records.RETAINED_DELETE -> {
                RetainedRecord old = retained.remove((RetainedKey) key);
                if (old != null) {
                    liveBytes -= Records.HEADER + old.length;
                }
                return old != null;
            }
            case Records.SESSION_PUT -> {
                account(sessions.put((SessionKey) key, payload), payload);
                return true;
            }
            case Records.SESSION_DELETE -> {
                return account(sessions.remove((SessionKey) key), null);
            }
            default -> throw new IllegalArgumentException("not a metadata record: " + type);
        }
    }

    /** Puts a retained record (the writer's mirror shares the record the store's state holds). */
    void putRetained(RetainedKey key, RetainedRecord rec) {
        RetainedRecord old = retained.put(key, rec);
        if (old != null) {
            liveBytes -= Records.HEADER + old.length;
        }
        liveBytes += Records.HEADER + rec.length;
    }

    RetainedRecord retainedRecord(RetainedKey key) {
        return retained.get(key);
    }

    private boolean account(byte[] old, byte[] added) {
        if (old != null) {
            liveBytes -= Records.HEADER + old.length;
        }
        if (added != null) {
            liveBytes += Records.HEADER + added.length;
        }
        return old != null;
    }

    long liveBytes() {
        return liveBytes;
    }

    int size() {
        int n = retained.size() + sessions.size();
        for (LinkedHashMap<DefKey, byte[]> ofKind : definitions.values()) {
            n += ofKind.size();
        }
        return n;
    }

    /** A copy that shares the payload arrays (they are never changed). */
    MetaState copy() {
        MetaState c = new MetaState();
        definitions.forEach((kind, ofKind) -> c.definitions.put(kind, new LinkedHashMap<>(ofKind)));
        c.retained.putAll(retained);
        c.sessions.putAll(sessions);
        c.liveBytes = liveBytes;
        return c;
    }

    interface RecordSink {
        void accept(byte type, byte[] payload);
    }

    /**
     * Every live definition and session as the put record that recreates it, definitions in their recovery
     * order; retained messages are in {@link #retainedRecords()}, as their payloads may have to be read back.
     */
    void forEachRecord(RecordSink sink) {
        for (LinkedHashMap<DefKey, byte[]> ofKind : definitions.values()) {
            ofKind.values().forEach(p -> sink.accept(Records.DEFINITION_PUT, p));
        }
        sessions.values().forEach(p -> sink.accept(Records.SESSION_PUT, p));
    }

    java.util.Collection<RetainedRecord> retainedRecords() {
        return retained.values();
    }

    // ---- reads (fresh objects and arrays every time) ---------------------------------------------------------

    List<Definition> definitions() {
        List<Definition> all = new ArrayList<>();
        for (LinkedHashMap<DefKey, byte[]> ofKind : definitions.values()) {
            ofKind.forEach((k, p) -> all.add(new Definition(k.kind(), k.vhost(), k.name(), putData(p, true))));
        }
        return all;
    }

    /** Where to find a retained message now: its payload (a copy) or its place in the log. */
    record RetainedLookup(RetainedKey key, byte[] payload, long metaNumber, long offset, int length) {
    }

    List<RetainedKey> retainedKeys() {
        return new ArrayList<>(retained.keySet());
    }

    RetainedLookup lookupRetained(RetainedKey key) {
        RetainedRecord r = retained.get(key);
        if (r == null) {
            return null;
        }
        return new RetainedLookup(key, r.payload, r.metaNumber, r.offset, r.length);
    }

    /** Bytes of retained payloads still on the heap (not yet durable in the log). */
    long retainedBytesOnHeap() {
        long n = 0;
        for (RetainedRecord r : retained.values()) {
            n += r.payload == null ? 0 : r.length;
        }
        return n;
    }

    List<dev.junction.storage.RetainedStore.Entry> retainedIndex() {
        List<dev.junction.storage.RetainedStore.Entry> all = new ArrayList<>(retained.size());
        retained.forEach((k, r) -> all.add(new dev.junction.storage.RetainedStore.Entry(k.vhost(), k.topic(),
                r.dataLength)));
        return all;
    }

    static RetainedMessage retainedMessage(RetainedKey key, byte[] payload) {
        return new RetainedMessage(key.vhost(), key.topic(), putData(payload, false));
    }

    List<SessionStore.Session> sessions() {
        List<SessionStore.Session> all = new ArrayList<>(sessions.size());
        sessions.forEach((k, p) -> all.add(new SessionStore.Session(k.vhost(), k.clientId(), putData(p, false))));
        return all;
    }

    SessionStore.Session session(SessionKey key) {
        byte[] p = sessions.get(key);
        return p == null ? null : new SessionStore.Session(key.vhost(), key.clientId(), putData(p, false));
    }

    private static byte[] putData(byte[] payload, boolean definition) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        if (definition) {
            buf.get();
        }
        Records.string(buf);
        Records.string(buf);
        return Records.bytes(buf);
    }
}
