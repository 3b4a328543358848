package dev.junction.storage.memory;

import dev.junction.storage.table.KeyedTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link KeyedTable} on the heap, in first-put order (a replacing put keeps the key's place, as
 * {@link LinkedHashMap#put} does). One monitor per table; every future is already complete.
 */
final class MemoryTable<K> implements KeyedTable<K> {

    private final StoreGuard guard;
    private final Map<K, byte[]> entries = new LinkedHashMap<>();

    MemoryTable(StoreGuard guard) {
        this.guard = guard;
    }

    @Override
    public synchronized CompletableFuture<Void> put(K key, byte[] data) {
        byte[] copy = data.clone();
        guard.checkOpen();
        entries.put(key, copy);
        return StoreGuard.done();
    }

    @Override
    public synchronized CompletableFuture<Void> delete(K key) {
        guard.checkOpen();
        entries.remove(key);
        return StoreGuard.done();
    }

    @Override
    public synchronized byte[] get(K key) {
        guard.checkOpen();
        byte[] data = entries.get(key);
        return data == null ? null : data.clone();
    }

    @Override
    public synchronized List<Row<K>> all() {
        guard.checkOpen();
        List<Row<K>> all = new ArrayList<>(entries.size());
        entries.forEach((k, data) -> all.add(new Row<>(k, data.clone())));
        return all;
    }

    @Override
    public synchronized List<Sized<K>> sizes() {
        guard.checkOpen();
        List<Sized<K>> all = new ArrayList<>(entries.size());
        entries.forEach((k, data) -> all.add(new Sized<>(k, data.length)));
        return all;
    }

    synchronized void clear() {
        entries.clear();
    }
}
