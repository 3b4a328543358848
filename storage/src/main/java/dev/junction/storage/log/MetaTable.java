package dev.junction.storage.log;

import dev.junction.storage.table.KeyedTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link KeyedTable} kept in the log store's metadata log, in the {@link MetaFormat} of one table. Changes go
 * through {@link MetaAccess} like message changes: applied under the store's lock, durable when the future
 * completes. An entry of an off-heap table whose bytes left the heap is read back from the log without the lock.
 */
final class MetaTable<K> implements KeyedTable<K> {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    /** Where to find an entry now: its payload, or its place in the log. */
    private record Place(byte[] payload, long metaNumber, long offset, int length) {
    }

    private final MetaFormat<K> format;
    private final MetaAccess access;
    private final MetaReader reader;

    MetaTable(MetaFormat<K> format, MetaAccess access, MetaReader reader) {
        this.format = format;
        this.access = access;
        this.reader = reader;
    }

    @Override
    public CompletableFuture<Void> put(K key, byte[] data) {
        byte[] payload = format.putPayload(key, data); // also the copy of the caller's bytes
        return access.change(format, key, payload, new MetaRecord(payload, data.length));
    }

    @Override
    public CompletableFuture<Void> delete(K key) {
        return access.change(format, key, format.deletePayload(key), null);
    }

    @Override
    public byte[] get(K key) {
        return read(key);
    }

    @Override
    public List<Row<K>> all() {
        if (!format.offHeap) {
            return access.read(state -> {
                List<Row<K>> all = new ArrayList<>();
                state.table(format).forEach((k, r) -> all.add(new Row<>(k, format.data(r.payload))));
                return all;
            });
        }
        List<Row<K>> all = new ArrayList<>();
        for (K key : access.read(state -> new ArrayList<>(state.table(format).keySet()))) {
            byte[] data = read(key);
            if (data != null) {
                all.add(new Row<>(key, data));
            }
        }
        return all;
    }

    @Override
    public List<Sized<K>> sizes() {
        return access.read(state -> {
            Map<K, MetaRecord> entries = state.table(format);
            List<Sized<K>> all = new ArrayList<>(entries.size());
            entries.forEach((k, r) -> all.add(new Sized<>(k, r.dataLength)));
            return all;
        });
    }

    /**
     * The entry's data from its payload while that is on the heap, else read back from the log, without the
     * lock. A compaction of the metadata log may move it meanwhile: then the place is asked for again.
     */
    private byte[] read(K key) {
        Place at = access.read(state -> place(state, key));
        for (int attempt = 0; at != null; attempt++) {
            if (at.payload() != null) {
                return format.data(at.payload());
            }
            try {
                return format.data(reader.read(at.metaNumber(), at.offset(), at.length(), format.putType));
            } catch (IOException e) {
                Place now = access.read(state -> place(state, key));
                if (attempt > 0 || now == null || now.equals(at)) {
                    if (now != null) {
                        LOG.error("cannot read the {} {} back: {}", format.what, key, e.toString());
                    }
                    return null;
                }
                at = now;
            }
        }
        return null;
    }

    private Place place(MetaState state, K key) {
        MetaRecord r = state.table(format).get(key);
        return r == null ? null : new Place(r.payload, r.metaNumber, r.offset, r.length);
    }
}
