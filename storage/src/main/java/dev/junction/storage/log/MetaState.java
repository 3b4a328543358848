package dev.junction.storage.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live entries of the metadata tables ({@link MetaFormat#ALL}: definitions, retained messages, sessions),
 * each key in first-put order with the {@link MetaRecord} that put it. The store keeps one instance for callers
 * (under its lock) and the writer keeps a mirror of what the metadata log holds (used to rewrite it when
 * compacting); both share the records.
 */
final class MetaState {

    private final List<Map<Object, MetaRecord>> tables = new ArrayList<>();
    /** Bytes the live entries take as records. */
    private long liveBytes;

    MetaState() {
        for (int i = 0; i < MetaFormat.ALL.size(); i++) {
            tables.add(new LinkedHashMap<>());
        }
    }

    /**
     * Puts {@code entry} under {@code key} (a replacing put keeps the key's place), or deletes the key when
     * {@code entry} is null. Returns false when it changes nothing (deleting an absent key), in which case
     * nothing needs to be written.
     */
    boolean apply(MetaFormat<?> table, Object key, MetaRecord entry) {
        Map<Object, MetaRecord> entries = tables.get(table.index);
        MetaRecord old = entry == null ? entries.remove(key) : entries.put(key, entry);
        if (old != null) {
            liveBytes -= Records.HEADER + old.length;
        }
        if (entry != null) {
            liveBytes += Records.HEADER + entry.length;
        }
        return entry != null || old != null;
    }

    /** The live entries of one table, in first-put order; the caller holds the lock that guards this state. */
    @SuppressWarnings("unchecked")
    <K> Map<K, MetaRecord> table(MetaFormat<K> table) {
        return (Map<K, MetaRecord>) (Map<?, MetaRecord>) tables.get(table.index);
    }

    long liveBytes() {
        return liveBytes;
    }

    int size() {
        int n = 0;
        for (Map<Object, MetaRecord> entries : tables) {
            n += entries.size();
        }
        return n;
    }

    /** Bytes of one table's payloads still on the heap. */
    long bytesOnHeap(MetaFormat<?> table) {
        long n = 0;
        for (MetaRecord r : tables.get(table.index).values()) {
            n += r.payload == null ? 0 : r.length;
        }
        return n;
    }

    /** A copy that shares the records. */
    MetaState copy() {
        MetaState c = new MetaState();
        for (int i = 0; i < tables.size(); i++) {
            c.tables.get(i).putAll(tables.get(i));
        }
        c.liveBytes = liveBytes;
        return c;
    }
}
